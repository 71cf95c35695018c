<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ko" sourcelanguage="en">
<context>
    <name>Columns</name>
    <message>
        <source>Point</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Precision</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Input length</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output length</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Concurrent users</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests OK</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Window (s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TTFT mean (ms)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TTFT p50 (ms)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TTFT p90 (ms)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TTFT p99 (ms)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TPOT mean (ms)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TPOT p50 (ms)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TPOT p99 (ms)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ITL p50 (ms)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ITL p99 (ms)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>E2E mean (ms)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>E2E p99 (ms)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prefill tokens/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens/s per user</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Power (W)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Power max (W)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Idle power (W)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Energy (J)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>J/token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens/s per W</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Valid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Why invalid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NO</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Events</name>
    <message>
        <source>{0} h {1:02d} min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} min {1:02d} s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} in / {1} out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} users</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Measuring the idle baseline (no load)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warm-up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Measuring</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for the operator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Point {0}: {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>finished</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>aborted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Session {0}: {1} point(s), saved in {2}. Meters: {3}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Point {0} of {1} started: {2}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wall power {0} W</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} output tokens/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Point {0} of {1}: {2} of {3} done, about {4} left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Point {0} finished: {1} tokens/s, {2} W, {3} J/token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>INVALID: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Operator: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run {0} (exit code {1}). Session folder: {2}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>InstrumentsPanel</name>
    <message>
        <source>Find instruments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Press “Find instruments” to list the VISA and serial instruments connected to this computer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add meter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Meters in this plan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A server&apos;s power supplies on separate elements or meters are all “wall” and are summed; other channels are auxiliary.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>wall (summed into the measured power)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>auxiliary (recorded, never summed)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>due on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run even if a calibration has expired (recorded in the session)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Meter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Driver</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resource</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Elements</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Update rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Role</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Calibration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Element</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Instrument</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Maker</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Serial</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Firmware</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>wall</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>auxiliary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the run&apos;s simulator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>empty: the run&apos;s own simulator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not needed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No calibration date recorded.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Calibration expired on {0}: recalibrate the meter, or allow expired calibration below.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Calibration valid until {0}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Found: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No instruments found. Check the cable and that the instrument is switched on; a network instrument can be typed in as TCPIP0::address::inst0::INSTR.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The search for instruments failed: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give element numbers like 1 or 1, 2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected; reading live.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disconnected.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Letting go of the instrument…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disconnect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not connected.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LivePlots</name>
    <message>
        <source>Wall-plug power</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>time (s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>power (W)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output tokens/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tokens/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Power against tokens/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>output tokens/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Point {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Idle</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LogPane</name>
    <message>
        <source>Show power and token readings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Instruments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sweep</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Results</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Open plan…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Save plan…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open &amp;session…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Pause / resume</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>S&amp;top after this point</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Abort</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run the &amp;demo sweep</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About K-Perf Lab</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change the language when the run has ended.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About K-Perf Lab</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>K-Perf Lab {0}

Measures how fast an AI chip serves a language model and how much wall-plug power it draws.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preset applied: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The plan cannot run yet: {0}: {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A meter&apos;s calibration has expired: {0}. Recalibrate it, or allow expired calibration on the Instruments page.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a test plan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Test plans (*.toml)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} cannot be read ({1}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} is not a valid TOML file: {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plan opened: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Test plan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the test plan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} cannot be written ({1}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plan saved: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Letting go of the instruments before the run…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ready</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starting the run…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopping after this point…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Aborting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A run is in progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Abort the run and close K-Perf Lab? Everything measured so far is kept in the session folder.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MeterPreview</name>
    <message>
        <source>The {0} driver failed: {1}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>OperatorDialog</name>
    <message>
        <source>Switch the server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The next points use precision “{0}”. Switch the server to it now; the run waits until you press Continue.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Continue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Abort the run</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ResultsPanel</name>
    <message>
        <source>Open session…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export results</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rebuild results.xlsx, summary.csv, the PNG plots and manifest.json from the journal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No session open.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Section</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Item</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Summary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Curves</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Session record</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a session folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} holds no session.sqlite. Choose a session folder written by K-Perf Lab or kperf.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A run is still writing {0}. Open it when the run has ended.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Interrupted session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This session&apos;s run ended without finishing. Close its journal, mark it interrupted and rebuild its results from what was measured?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The interrupted session was left as it is.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Closing the interrupted journal and rebuilding the results…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the session…</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Interrupted run: the results cover only what was measured before it stopped (%n point(s)).</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n point(s) invalid; hover over a shaded row for why.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Session {0}: %n point(s), all valid.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Opened session {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The session could not be read: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A run is still writing this session; export it when the run has ended.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exported results.xlsx, summary.csv, the plots and manifest.json to {0}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RunPanel</name>
    <message>
        <source>Start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop after this point</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Abort</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ready. Press Start to run the sweep.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Point</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sweep</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resume</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starting: checking the target and the instruments…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run started; session folder {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paused. Requests in flight finish; press Resume to go on.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resume sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopping after this point…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop sent: the point in progress finishes first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Abort the run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Abort the run now? The point in progress is marked invalid; everything measured so far is kept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Aborting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Abort sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Point {0} of {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sweep: point {0} of {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time left: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time left: estimating…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for the operator to switch the server to “{0}”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Continue sent: the server is switched</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The run did not complete.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Run {0}: %n point(s) measured</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n invalid; see the table for why</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RunProcess</name>
    <message>
        <source>The measurement process could not start ({0}). Check that K-Perf Lab is installed completely.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The measurement process stopped unexpectedly. What it measured is kept in the session folder: open it under Results to export it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The run could not start; see the log for the reason.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The measurement process ended with code {0}. What it measured is kept in the session folder; see the log for the reason.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SessionPanel</name>
    <message>
        <source>letters, digits, . _ - (the folder name)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. 23.1 (empty: not recorded)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Session name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Operator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Witness</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ambient temperature (°C)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Notes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Built-in simulator (no hardware)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OpenAI-compatible endpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Completions (/v1/completions)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chat (/v1/chat/completions)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>name of the variable, e.g. KPERF_API_KEY</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>optional: a local tokenizer.json</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Target</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What is measured</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Endpoint URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API key variable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokenizer file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Where sessions are saved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give the temperature as a number in °C, like 23.1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the tokenizer file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokenizer (tokenizer.json *.json)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save sessions in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give the endpoint URL first, like http://127.0.0.1:8000/v1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This kind of target cannot be tested from here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected. The server serves: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no models</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SweepCurves</name>
    <message>
        <source>concurrent users</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Throughput</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>output tokens/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time to first token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TTFT (ms)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens per second per watt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tokens/s per W</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Per user against total</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>total output tokens/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tokens/s per user</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SweepPanel</name>
    <message>
        <source>Choose a K-Perf preset…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A preset sets the session name, the model and the whole sweep; people, endpoint and instruments stay.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open plan…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save plan…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. bf16, fp8 (empty: default)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Input/output variable range</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Input lengths (tokens)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output lengths (tokens)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Concurrent users</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Precision labels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Requests per point</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seconds per point</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>as many as concurrent users</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How much is measured</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warm-up requests per point</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Idle baseline before the sweep</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n sweep point(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>about {0:.0f} min of measuring, plus warm-up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give whole numbers separated by commas, like 1, 8, 32.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
