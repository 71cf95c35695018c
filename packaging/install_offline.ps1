<#
.SYNOPSIS
Installs K-Perf Lab on a Windows PC with no internet, from a wheelhouse made by
build_wheelhouse.sh.

.DESCRIPTION
  powershell -ExecutionPolicy Bypass -File install_offline.ps1 WHEELHOUSE [VENV]

WHEELHOUSE  the folder with wheels\ and requirements.lock
VENV        where to put the app (default: %LOCALAPPDATA%\K-Perf Lab\venv)

It makes a Python virtual environment, installs every package from the wheelhouse only
(--no-index --require-hashes: nothing is fetched, every file must match its SHA-256), runs
`kperf demo` as a self-check, adds K-Perf Lab to the Start menu and says where the app and the
sessions folder are. The same steps as install_offline.sh on Linux; USB meters on Windows need a
driver instead of a udev rule (see README, "Offline install").
#>
param(
    [Parameter(Mandatory = $true, Position = 0)][string]$Wheelhouse,
    [Parameter(Position = 1)][string]$Venv = (Join-Path $env:LOCALAPPDATA 'K-Perf Lab\venv')
)
$ErrorActionPreference = 'Stop'

function Say([string]$Text) { Write-Host $Text }
function Fail([string]$Text) {
    Write-Host "install_offline: $Text" -ForegroundColor Red
    exit 1
}

if (-not (Test-Path -LiteralPath $Wheelhouse -PathType Container)) {
    Fail "the wheelhouse folder $Wheelhouse does not exist."
}
$Wheelhouse = (Resolve-Path -LiteralPath $Wheelhouse).Path
$lock = Join-Path $Wheelhouse 'requirements.lock'
$wheels = Join-Path $Wheelhouse 'wheels'
$info = Join-Path $Wheelhouse 'wheelhouse.json'
if (-not ((Test-Path -LiteralPath $lock) -and (Test-Path -LiteralPath $wheels) -and (Test-Path -LiteralPath $info))) {
    Fail "$Wheelhouse is not a K-Perf Lab wheelhouse (no requirements.lock, wheels\ or wheelhouse.json). Copy the whole folder made by build_wheelhouse.sh."
}
if ($env:PROCESSOR_ARCHITECTURE -ne 'AMD64') {
    Fail "this wheelhouse is for x64 PCs; this one is $($env:PROCESSOR_ARCHITECTURE)."
}

# The Python versions the wheelhouse was built for, newest first.
$served = @((Get-Content -LiteralPath $info -Raw | ConvertFrom-Json).targets |
    Where-Object { $_ -like 'windows-*' } | ForEach-Object { $_.Substring(8) } | Sort-Object -Descending)
if ($served.Count -eq 0) {
    Fail 'this wheelhouse has no Windows wheels (it was built with --platform linux).'
}

function Get-PythonVersion([string[]]$Command) {
    # "3.12" from a Python command, or $null where it does not run (the Store's python.exe
    # stand-in, a missing launcher).
    try {
        $exe = $Command[0]
        $rest = @($Command | Select-Object -Skip 1)
        $out = & $exe @rest -c "import sys; print('%d.%d' % sys.version_info[:2])" 2>$null
        if ($LASTEXITCODE -eq 0 -and $out) { return ([string]$out).Trim() }
    } catch { }
    return $null
}

$python = $null
$have = $null
if ($env:PYTHON) {
    $python = @($env:PYTHON)
    $have = Get-PythonVersion $python
} else {
    foreach ($v in $served) {
        $candidate = @('py', "-$v")
        $found = Get-PythonVersion $candidate
        if ($found) { $python = $candidate; $have = $found; break }
    }
    if (-not $python) {
        $python = @('python')
        $have = Get-PythonVersion $python
    }
}
if (-not $have) {
    Fail "no Python found. Install Python $($served -join ' or ') for Windows (python.org installer, with the py launcher) and run this again."
}
if ($served -notcontains $have) {
    Fail "$($python -join ' ') is Python $have; this wheelhouse serves Python $($served -join ', ') only. Install one of those, or set `$env:PYTHON to its python.exe."
}

Say "Installing K-Perf Lab from $Wheelhouse"
Say "  Python $have ($($python -join ' ')), into $Venv"
$venvPython = Join-Path $Venv 'Scripts\python.exe'
if ((Test-Path -LiteralPath $Venv) -and -not (Test-Path -LiteralPath $venvPython)) {
    if (@(Get-ChildItem -LiteralPath $Venv -Force).Count -gt 0) {
        Fail "$Venv exists and is not a virtual environment: give another folder, or remove it."
    }
}
if (-not (Test-Path -LiteralPath $venvPython)) {
    $parent = Split-Path -Parent $Venv
    if ($parent) { New-Item -ItemType Directory -Force -Path $parent | Out-Null }
    $exe = $python[0]
    $rest = @($python | Select-Object -Skip 1)
    & $exe @rest -m venv $Venv
    if ($LASTEXITCODE -ne 0) {
        if (Test-Path -LiteralPath $Venv) { Remove-Item -Recurse -Force -LiteralPath $Venv }
        Fail 'Python could not make a virtual environment (its message is above). Repair or reinstall Python from the python.org installer, then run this again.'
    }
}

# Only the wheelhouse: no index, no pip.ini or PIP_* settings of this PC.
@(Get-ChildItem env: | Where-Object { $_.Name -like 'PIP_*' }) | ForEach-Object { Remove-Item -LiteralPath "env:$($_.Name)" }
$env:PIP_CONFIG_FILE = 'nul'   # os.devnull on Windows: pip then reads no configuration file
$env:PIP_NO_INDEX = '1'
$env:PIP_DISABLE_PIP_VERSION_CHECK = '1'
& $venvPython -m pip install --quiet --no-index --find-links $wheels --require-hashes --no-warn-script-location -r $lock
if ($LASTEXITCODE -ne 0) {
    Fail "the packages did not install (pip's message is above). If it names a hash mismatch, the wheelhouse copy is damaged: copy it again."
}

function Invoke-Logged([string]$Exe, [string[]]$Arguments, [string]$Log) {
    # Runs a program with its output in $Log (standard error in $Log.err) and returns its exit
    # code. Start-Process, not `& ... *> $Log`: Windows PowerShell 5.1 turns a native program's
    # redirected standard error into errors, which $ErrorActionPreference = 'Stop' would throw.
    $quoted = $Arguments | ForEach-Object { '"' + $_ + '"' }
    $p = Start-Process -FilePath $Exe -ArgumentList $quoted -NoNewWindow -Wait -PassThru `
        -RedirectStandardOutput $Log -RedirectStandardError "$Log.err"
    return $p.ExitCode
}

Say 'Self-check: kperf demo (a short simulated measurement, under a minute) ...'
$kperf = Join-Path $Venv 'Scripts\kperf.exe'
$check = Join-Path ([System.IO.Path]::GetTempPath()) ("kperf-selfcheck-" + [System.Guid]::NewGuid().ToString('N'))
New-Item -ItemType Directory -Path $check | Out-Null
$demo = Join-Path $check 'demo'
$demoLog = Join-Path $check 'demo.log'
if ((Invoke-Logged $kperf @('demo', '--out', $demo) $demoLog) -ne 0) {
    Get-Content -LiteralPath $demoLog, "$demoLog.err" | Write-Host
    Fail "the self-check failed: kperf demo did not finish (its output is above; the log stays in $check)."
}
$verifyLog = Join-Path $check 'verify.log'
if ((Invoke-Logged $kperf @('verify', $demo) $verifyLog) -ne 0) {
    Get-Content -LiteralPath $verifyLog, "$verifyLog.err" | Write-Host
    Fail "the self-check failed: kperf verify found the demo session changed (log in $check)."
}
$result = Get-Content -LiteralPath $demoLog | Where-Object { $_ -like 'Run *' } | Select-Object -First 1
Remove-Item -Recurse -Force -LiteralPath $check
if ($result) { Say "  kperf demo passed (run $($result.Substring(4))); its session verified intact." }
else { Say '  kperf demo passed; its session verified intact.' }

# Start menu shortcut (this user only).
$gui = Join-Path $Venv 'Scripts\kperf-gui.exe'
$menu = $null
try {
    $programs = [Environment]::GetFolderPath('Programs')
    $menu = Join-Path $programs 'K-Perf Lab.lnk'
    $shell = New-Object -ComObject WScript.Shell
    $link = $shell.CreateShortcut($menu)
    $link.TargetPath = $gui
    $link.WorkingDirectory = [Environment]::GetFolderPath('MyDocuments')
    $link.Description = 'K-Perf Lab: AI chip serving speed and wall-plug power'
    $link.Save()
} catch {
    Say "  (no Start menu shortcut: $($_.Exception.Message))"
    $menu = $null
}

$sessions = & $venvPython -c "from kperf_gui.session.location import documents_dir; print(documents_dir() / 'K-Perf Lab')"
Say ''
Say 'K-Perf Lab is installed.'
if ($menu) { Say "  The app:        $gui   (Start menu: K-Perf Lab)" } else { Say "  The app:        $gui" }
Say "  Headless:       $kperf  (kperf demo, kperf run PLAN.toml, kperf resources)"
Say "  Sessions go to: $sessions"
Say '  Meters:         USB meters need a USB-TMC driver (NI-VISA, Keysight IO Libraries, or the'
Say '                  maker''s driver); see README, "Offline install". Network meters need none.'
