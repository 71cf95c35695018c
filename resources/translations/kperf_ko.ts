<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ko" sourcelanguage="en">
<context>
    <name>Columns</name>
    <message>
        <source>Point</source>
        <translation>포인트</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>단위</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>모델</translation>
    </message>
    <message>
        <source>Precision</source>
        <translation>정밀도</translation>
    </message>
    <message>
        <source>Input length</source>
        <translation>입력 길이</translation>
    </message>
    <message>
        <source>Output length</source>
        <translation>출력 길이</translation>
    </message>
    <message>
        <source>Concurrent users</source>
        <translation>동시 사용자 수</translation>
    </message>
    <message>
        <source>Requests OK</source>
        <translation>성공 요청</translation>
    </message>
    <message>
        <source>Requests failed</source>
        <translation>실패 요청</translation>
    </message>
    <message>
        <source>Window (s)</source>
        <translation>측정 구간 (s)</translation>
    </message>
    <message>
        <source>TTFT mean (ms)</source>
        <translation>첫 글자 출력 시간 평균 (ms)</translation>
    </message>
    <message>
        <source>TTFT p50 (ms)</source>
        <translation>첫 글자 출력 시간 p50 (ms)</translation>
    </message>
    <message>
        <source>TTFT p90 (ms)</source>
        <translation>첫 글자 출력 시간 p90 (ms)</translation>
    </message>
    <message>
        <source>TTFT p99 (ms)</source>
        <translation>첫 글자 출력 시간 p99 (ms)</translation>
    </message>
    <message>
        <source>TPOT mean (ms)</source>
        <translation>TPOT 평균 (ms)</translation>
    </message>
    <message>
        <source>TPOT p50 (ms)</source>
        <translation>TPOT p50 (ms)</translation>
    </message>
    <message>
        <source>TPOT p99 (ms)</source>
        <translation>TPOT p99 (ms)</translation>
    </message>
    <message>
        <source>ITL p50 (ms)</source>
        <translation>ITL p50 (ms)</translation>
    </message>
    <message>
        <source>ITL p99 (ms)</source>
        <translation>ITL p99 (ms)</translation>
    </message>
    <message>
        <source>E2E mean (ms)</source>
        <translation>E2E 평균 (ms)</translation>
    </message>
    <message>
        <source>E2E p99 (ms)</source>
        <translation>E2E p99 (ms)</translation>
    </message>
    <message>
        <source>Prefill tokens/s</source>
        <translation>프리필 토큰/s</translation>
    </message>
    <message>
        <source>Tokens/s</source>
        <translation>초당 토큰 생성 수</translation>
    </message>
    <message>
        <source>Tokens/s per user</source>
        <translation>사용자당 초당 토큰</translation>
    </message>
    <message>
        <source>Requests/s</source>
        <translation>초당 요청</translation>
    </message>
    <message>
        <source>Power (W)</source>
        <translation>전력 소모량 (W)</translation>
    </message>
    <message>
        <source>Power max (W)</source>
        <translation>최대 전력 (W)</translation>
    </message>
    <message>
        <source>Idle power (W)</source>
        <translation>유휴 전력 (W)</translation>
    </message>
    <message>
        <source>Energy (J)</source>
        <translation>에너지 (J)</translation>
    </message>
    <message>
        <source>J/token</source>
        <translation>토큰당 에너지 (J)</translation>
    </message>
    <message>
        <source>Tokens/s per W</source>
        <translation>와트당 토큰</translation>
    </message>
    <message>
        <source>Valid</source>
        <translation>유효</translation>
    </message>
    <message>
        <source>Why invalid</source>
        <translation>무효 사유</translation>
    </message>
    <message>
        <source>Power uncertainty (%)</source>
        <translation>전력 불확도 (%)</translation>
    </message>
    <message>
        <source>Energy uncertainty (%)</source>
        <translation>에너지 불확도 (%)</translation>
    </message>
    <message>
        <source>Parallel jobs</source>
        <translation>병렬 작업 수</translation>
    </message>
    <message>
        <source>Inferences OK</source>
        <translation>성공 추론</translation>
    </message>
    <message>
        <source>Inferences failed</source>
        <translation>실패 추론</translation>
    </message>
    <message>
        <source>Latency mean (ms)</source>
        <translation>지연 시간 평균 (ms)</translation>
    </message>
    <message>
        <source>Latency p99 (ms)</source>
        <translation>지연 시간 p99 (ms)</translation>
    </message>
    <message>
        <source>Inferences/s</source>
        <translation>추론/초</translation>
    </message>
    <message>
        <source>Inferences/s per job</source>
        <translation>작업당 추론/초</translation>
    </message>
    <message>
        <source>J/inference</source>
        <translation>추론당 에너지 (J)</translation>
    </message>
    <message>
        <source>Inferences/s per W</source>
        <translation>와트당 추론/초</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>예</translation>
    </message>
    <message>
        <source>NO</source>
        <translation>아니요</translation>
    </message>
</context>
<context>
    <name>CompareView</name>
    <message>
        <source>Refresh</source>
        <translation>새로 고침</translation>
    </message>
    <message>
        <source>Add folder…</source>
        <translation>폴더 추가…</translation>
    </message>
    <message>
        <source>Compare ticked sessions</source>
        <translation>선택한 세션 비교</translation>
    </message>
    <message>
        <source>Export comparison…</source>
        <translation>비교 내보내기…</translation>
    </message>
    <message>
        <source>Write comparison.xlsx and the four PNGs into a folder (as kperf compare does)</source>
        <translation>comparison.xlsx와 PNG 그래프 네 개를 폴더에 저장합니다 (kperf compare와 같음)</translation>
    </message>
    <message>
        <source>Tick two or more sessions, then press Compare.</source>
        <translation>세션을 두 개 이상 선택한 뒤 비교를 누르십시오.</translation>
    </message>
    <message>
        <source>Throughput</source>
        <translation>처리량</translation>
    </message>
    <message>
        <source>output tokens/s</source>
        <translation>초당 출력 토큰</translation>
    </message>
    <message>
        <source>Time to first token (p50)</source>
        <translation>첫 글자 출력 시간 (p50)</translation>
    </message>
    <message>
        <source>TTFT (ms)</source>
        <translation>첫 글자 출력 시간 (ms)</translation>
    </message>
    <message>
        <source>Tokens per second per watt</source>
        <translation>와트당 토큰</translation>
    </message>
    <message>
        <source>tokens/s per W</source>
        <translation>와트당 초당 토큰</translation>
    </message>
    <message>
        <source>Energy per token</source>
        <translation>토큰당 에너지</translation>
    </message>
    <message>
        <source>J/token</source>
        <translation>토큰당 에너지 (J)</translation>
    </message>
    <message>
        <source>concurrent users</source>
        <translation>동시 사용자 수</translation>
    </message>
    <message>
        <source>Figures</source>
        <translation>2차원 그래프</translation>
    </message>
    <message>
        <source>Aligned points</source>
        <translation>맞춘 포인트</translation>
    </message>
    <message>
        <source>Add a session folder</source>
        <translation>세션 폴더 추가</translation>
    </message>
    <message>
        <source>{0} holds no session.sqlite.</source>
        <translation>{0}에 session.sqlite가 없습니다.</translation>
    </message>
    <message>
        <source>Tick two or more sessions to compare.</source>
        <translation>비교할 세션을 두 개 이상 선택하십시오.</translation>
    </message>
    <message numerus="yes">
        <source>Reading %n session(s)…</source>
        <translation>
            <numerusform>세션 %n개를 읽는 중…</numerusform>
        </translation>
    </message>
    <message>
        <source>The sessions could not be compared: {0}</source>
        <translation>세션을 비교할 수 없습니다: {0}</translation>
    </message>
    <message numerus="yes">
        <source>%n session(s) compared</source>
        <translation>
            <numerusform>세션 %n개 비교</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n sweep point(s) measured in two or more of them</source>
        <translation>
            <numerusform>두 세션 이상에서 측정된 포인트 %n개</numerusform>
        </translation>
    </message>
    <message>
        <source> (per inference)</source>
        <translation> (추론당)</translation>
    </message>
    <message>
        <source>hollow: invalid point</source>
        <translation>속이 빈 표시: 무효 포인트</translation>
    </message>
    <message>
        <source>Sessions</source>
        <translation>세션 수</translation>
    </message>
    <message>
        <source>Export the comparison to</source>
        <translation>비교를 저장할 폴더</translation>
    </message>
    <message>
        <source>Comparison written to {0}: {1}</source>
        <translation>비교를 {0}에 저장했습니다: {1}</translation>
    </message>
</context>
<context>
    <name>Definitions</name>
    <message>
        <source>Measured requests</source>
        <translation>측정 요청</translation>
    </message>
    <message>
        <source>A point&apos;s non-warm-up requests. Statistics use the successful ones; percentiles are numpy&apos;s linear percentiles.</source>
        <translation>포인트의 워밍업이 아닌 요청. 통계는 성공한 요청만 쓰며, 백분위수는 numpy의 선형 백분위수입니다.</translation>
    </message>
    <message>
        <source>Window (duration_s)</source>
        <translation>측정 구간 (duration_s)</translation>
    </message>
    <message>
        <source>From the first measured request sent to the last measured request finished, in seconds.</source>
        <translation>첫 측정 요청을 보낸 때부터 마지막 측정 요청이 끝난 때까지, 초 단위.</translation>
    </message>
    <message>
        <source>TTFT (ttft_ms_*)</source>
        <translation>첫 글자 출력 시간 (ttft_ms_*)</translation>
    </message>
    <message>
        <source>From sending the request to the first chunk that carries generated text (text, delta.content, or a reasoning field). A chunk with only a role or an empty string does not count.</source>
        <translation>요청을 보낸 때부터 생성된 텍스트(text, delta.content 또는 추론 필드)를 담은 첫 청크까지. 역할만 있거나 빈 문자열인 청크는 세지 않습니다.</translation>
    </message>
    <message>
        <source>E2E (e2e_ms_*)</source>
        <translation>E2E (e2e_ms_*)</translation>
    </message>
    <message>
        <source>From sending to the last chunk that carries text (on-device: from submitting the inference to its completion).</source>
        <translation>요청을 보낸 때부터 텍스트를 담은 마지막 청크까지 (온디바이스: 추론을 제출한 때부터 끝날 때까지).</translation>
    </message>
    <message>
        <source>TPOT (tpot_ms_*)</source>
        <translation>TPOT (tpot_ms_*)</translation>
    </message>
    <message>
        <source>Per request: (E2E - TTFT) / (output tokens - 1); requests with one output token are left out.</source>
        <translation>요청마다 (E2E - TTFT) / (출력 토큰 - 1). 출력 토큰이 하나인 요청은 뺍니다.</translation>
    </message>
    <message>
        <source>ITL (itl_ms_*)</source>
        <translation>ITL (itl_ms_*)</translation>
    </message>
    <message>
        <source>Every gap between successive text-carrying chunks, pooled over the point&apos;s requests.</source>
        <translation>텍스트를 담은 연속 청크 사이의 모든 간격을 포인트의 요청 전체에서 모은 것.</translation>
    </message>
    <message>
        <source>Output tokens</source>
        <translation>출력 토큰</translation>
    </message>
    <message>
        <source>Per request: the server&apos;s usage.completion_tokens where reported, else the tokenizer&apos;s count, else the number of text chunks; the Requests sheet says which.</source>
        <translation>요청마다 서버가 알려 준 usage.completion_tokens, 없으면 토크나이저로 센 수, 그것도 없으면 텍스트 청크 수. 어느 것인지는 Requests 시트에 적힙니다.</translation>
    </message>
    <message>
        <source>output_tokens_per_s</source>
        <translation>output_tokens_per_s (초당 토큰 생성 수)</translation>
    </message>
    <message>
        <source>Output tokens of successful measured requests / duration_s.</source>
        <translation>성공한 측정 요청의 출력 토큰 / duration_s.</translation>
    </message>
    <message>
        <source>output_tokens_per_s_per_user</source>
        <translation>output_tokens_per_s_per_user (사용자당 초당 토큰)</translation>
    </message>
    <message>
        <source>Mean over requests of (output tokens - 1) / (E2E - TTFT).</source>
        <translation>요청별 (출력 토큰 - 1) / (E2E - TTFT)의 평균.</translation>
    </message>
    <message>
        <source>prefill_tokens_per_s</source>
        <translation>prefill_tokens_per_s (입력 처리 단계, 프리필)</translation>
    </message>
    <message>
        <source>Sum of actual input tokens / sum of TTFTs (seconds), successful measured requests. Per user and including queueing; the concurrency-1 row is the chip&apos;s.</source>
        <translation>성공한 측정 요청의 실제 입력 토큰 합 / TTFT 합(초). 사용자당 값이며 대기 시간을 포함합니다. 동시 사용자 수 1인 행이 칩의 값입니다.</translation>
    </message>
    <message>
        <source>requests_per_s</source>
        <translation>requests_per_s (초당 요청)</translation>
    </message>
    <message>
        <source>Successful measured requests / duration_s.</source>
        <translation>성공한 측정 요청 수 / duration_s.</translation>
    </message>
    <message>
        <source>Wall power</source>
        <translation>벽 전원 전력</translation>
    </message>
    <message>
        <source>Every wall channel (meters and elements) placed on the one clock and summed.</source>
        <translation>모든 wall 채널(측정기와 엘리먼트)을 하나의 시계에 맞춰 더한 값.</translation>
    </message>
    <message>
        <source>energy_j</source>
        <translation>energy_j (에너지)</translation>
    </message>
    <message>
        <source>Wall power integrated over the window by the trapezoid rule, with power interpolated at both window edges from readings at most one update period outside the window. Where a wall channel has no power reading within one update period of an edge, energy_j, power_w_mean, power_w_max and the ratios built on them are left empty and invalid_reason says why.</source>
        <translation>측정 구간의 벽 전원 전력을 사다리꼴 공식으로 적분한 값. 구간 양 끝의 전력은 구간 밖 갱신 주기 한 번 이내의 측정값으로 보간합니다. 어떤 wall 채널에 구간 끝에서 갱신 주기 한 번 이내의 측정값이 없으면 energy_j, power_w_mean, power_w_max와 이들로 계산한 비율은 비워 두고 invalid_reason에 이유를 적습니다.</translation>
    </message>
    <message>
        <source>power_w_mean</source>
        <translation>power_w_mean (전력 소모량)</translation>
    </message>
    <message>
        <source>energy_j / duration_s.</source>
        <translation>energy_j / duration_s.</translation>
    </message>
    <message>
        <source>power_w_max</source>
        <translation>power_w_max (최대 전력)</translation>
    </message>
    <message>
        <source>The highest wall reading in the window.</source>
        <translation>측정 구간의 가장 높은 벽 전원 측정값.</translation>
    </message>
    <message>
        <source>power_w_idle</source>
        <translation>power_w_idle (유휴 전력)</translation>
    </message>
    <message>
        <source>The mean of the idle baseline measured before the sweep.</source>
        <translation>변수 범위 테스트 전에 측정한 유휴 전력의 평균.</translation>
    </message>
    <message>
        <source>joules_per_output_token</source>
        <translation>joules_per_output_token (토큰당 에너지)</translation>
    </message>
    <message>
        <source>energy_j / output tokens (on-device: joules per inference).</source>
        <translation>energy_j / 출력 토큰 (온디바이스: 추론당 줄).</translation>
    </message>
    <message>
        <source>output_tokens_per_s_per_w</source>
        <translation>output_tokens_per_s_per_w (와트당 토큰)</translation>
    </message>
    <message>
        <source>output_tokens_per_s / power_w_mean.</source>
        <translation>output_tokens_per_s / power_w_mean.</translation>
    </message>
    <message>
        <source>Live tokens/s</source>
        <translation>실시간 초당 토큰</translation>
    </message>
    <message>
        <source>Output tokens arriving in each meter update interval, paired with that interval&apos;s power.</source>
        <translation>측정기 갱신 주기마다 도착한 출력 토큰. 그 주기의 전력과 짝을 이룹니다.</translation>
    </message>
    <message>
        <source>valid</source>
        <translation>valid (유효)</translation>
    </message>
    <message>
        <source>False, with invalid_reason naming each cause, when a request failed, a meter read over range or no data in the window, readings were lost (fewer than 90 % of the expected number, or any gap longer than two update periods), or the uncertainty exceeds meters[].max_uncertainty_pct. The expected number is floor(window x the update rate the meter was actually set to): the whole update periods the window holds, which a meter that loses nothing always gives, whatever the phase of its updates. A point is invalid too when the load client was saturated (a load process with an event-loop lag p99 above sweep.max_client_lag_ms) or a load process died during it.</source>
        <translation>요청이 실패했거나, 측정기가 구간 안에서 범위 초과나 데이터 없음을 읽었거나, 측정값이 빠졌거나(기대 개수의 90 % 미만이거나 갱신 주기 두 번보다 긴 공백), 불확도가 meters[].max_uncertainty_pct를 넘을 때 false이며, invalid_reason에 원인마다 적힙니다. 기대 개수는 floor(구간 x 측정기에 실제로 설정된 갱신율)로, 구간에 들어가는 온전한 갱신 주기의 수입니다. 아무것도 잃지 않은 측정기는 갱신 위상과 관계없이 언제나 그만큼을 줍니다. 부하를 만드는 클라이언트가 포화되었거나(어느 부하 프로세스든 이벤트 루프 지연 p99가 sweep.max_client_lag_ms를 넘음) 측정 중 부하 프로세스가 죽은 지점도 무효입니다.</translation>
    </message>
    <message>
        <source>power_w_uncertainty_pct, energy_j_uncertainty_pct</source>
        <translation>power_w_uncertainty_pct, energy_j_uncertainty_pct</translation>
    </message>
    <message>
        <source>The relative uncertainty of power_w_mean and energy_j, in %: each wall meter&apos;s accuracy specification (% of reading + % of range, for the range each reading was taken on and the band of its input frequency), worked out per reading, integrated over the window as energy_j is and added over the wall channels; a worst-case limit. Empty where a meter&apos;s accuracy table, a reading&apos;s range or the input frequency is not known; the Session sheet says which.</source>
        <translation>power_w_mean과 energy_j의 상대 불확도(%): 각 벽 전원 측정기의 정확도 사양(읽음값의 % + 레인지의 %, 각 측정값이 측정된 레인지와 입력 주파수 대역에 대해)으로 측정값마다 구하고, energy_j와 같은 방법으로 구간에 걸쳐 적분하여 벽 전원 채널에 걸쳐 더한 최악의 경우 한계입니다. 측정기의 정확도 표, 측정값의 레인지 또는 입력 주파수를 모르면 비어 있고, Session 시트에 무엇을 몰랐는지 적힙니다.</translation>
    </message>
    <message>
        <source>unit</source>
        <translation>unit (단위)</translation>
    </message>
    <message>
        <source>token for language-model endpoints; inference for on-device targets, where the throughput columns read inferences per second and joules_per_output_token reads joules per inference.</source>
        <translation>언어 모델 엔드포인트는 token, 온디바이스 대상은 inference. inference일 때 처리량 열은 초당 추론 수, joules_per_output_token은 추론당 줄입니다.</translation>
    </message>
</context>
<context>
    <name>Events</name>
    <message>
        <source>{0} h {1:02d} min</source>
        <translation>{0}시간 {1:02d}분</translation>
    </message>
    <message>
        <source>{0} min {1:02d} s</source>
        <translation>{0}분 {1:02d}초</translation>
    </message>
    <message>
        <source>{0} s</source>
        <translation>{0}초</translation>
    </message>
    <message>
        <source>{0} in / {1} out</source>
        <translation>입력 {0} / 출력 {1}</translation>
    </message>
    <message>
        <source>{0} parallel job(s)</source>
        <translation>병렬 작업 {0}개</translation>
    </message>
    <message>
        <source>{0} users</source>
        <translation>사용자 {0}명</translation>
    </message>
    <message>
        <source>Measuring the idle baseline (no load)</source>
        <translation>유휴 전력 측정 중 (부하 없음)</translation>
    </message>
    <message>
        <source>Warm-up</source>
        <translation>워밍업</translation>
    </message>
    <message>
        <source>Measuring</source>
        <translation>측정 중</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>일시 정지됨</translation>
    </message>
    <message>
        <source>Resumed</source>
        <translation>재개됨</translation>
    </message>
    <message>
        <source>Waiting for the operator</source>
        <translation>시험자를 기다리는 중</translation>
    </message>
    <message>
        <source>Point {0}: {1}</source>
        <translation>포인트 {0}: {1}</translation>
    </message>
    <message>
        <source>finished</source>
        <translation>완료</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>중지됨</translation>
    </message>
    <message>
        <source>aborted</source>
        <translation>중단됨</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>실패</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>중단된 채 끝남</translation>
    </message>
    <message>
        <source>running</source>
        <translation>실행 중</translation>
    </message>
    <message>
        <source>Session {0}: {1} point(s), saved in {2}. Meters: {3}</source>
        <translation>세션 {0}: 포인트 {1}개, 저장 위치 {2}. 전력계: {3}</translation>
    </message>
    <message>
        <source>none</source>
        <translation>없음</translation>
    </message>
    <message>
        <source>Point {0} of {1} started: {2}</source>
        <translation>포인트 {0}/{1} 시작: {2}</translation>
    </message>
    <message>
        <source>Wall power {0} W</source>
        <translation>벽 전원 전력 {0} W</translation>
    </message>
    <message>
        <source>{0} inferences/s</source>
        <translation>{0} 추론/초</translation>
    </message>
    <message>
        <source>{0} output tokens/s</source>
        <translation>초당 출력 토큰 {0}</translation>
    </message>
    <message>
        <source>Point {0} of {1}: {2} of {3} done, about {4} left</source>
        <translation>포인트 {0}/{1}: {3} 중 {2} 완료, 약 {4} 남음</translation>
    </message>
    <message>
        <source>Point {0} finished: {1} inferences/s, {2} W, {3} J/inference</source>
        <translation>포인트 {0} 완료: {1} 추론/초, {2} W, {3} J/추론</translation>
    </message>
    <message>
        <source>Point {0} finished: {1} tokens/s, {2} W, {3} J/token</source>
        <translation>포인트 {0} 완료: {1} 토큰/s, {2} W, {3} J/토큰</translation>
    </message>
    <message>
        <source>INVALID: {0}</source>
        <translation>무효: {0}</translation>
    </message>
    <message>
        <source>Operator: {0}</source>
        <translation>시험자 조치: {0}</translation>
    </message>
    <message>
        <source>Run {0} (exit code {1}). Session folder: {2}</source>
        <translation>측정 {0} (종료 코드 {1}). 세션 폴더: {2}</translation>
    </message>
</context>
<context>
    <name>GuideDialog</name>
    <message>
        <source>K-Perf Lab guide</source>
        <translation>K-Perf Lab 안내</translation>
    </message>
    <message>
        <source>Connect a power meter</source>
        <translation>전력 분석기 연결</translation>
    </message>
    <message>
        <source>On the Instruments page press Find instruments, or type the meter&apos;s VISA resource (like TCPIP0::192.168.1.20::inst0::INSTR) or serial port. Choose the driver of its make, the input elements the server&apos;s power supplies are on, and the update rate.</source>
        <translation>측정기 화면에서 ‘측정기 찾기’를 누르거나 측정기의 VISA 리소스(예: TCPIP0::192.168.1.20::inst0::INSTR) 또는 시리얼 포트를 입력합니다. 제조사에 맞는 드라이버, 서버 전원 공급 장치가 연결된 입력 엘리먼트, 갱신 주기를 고릅니다.</translation>
    </message>
    <message>
        <source>Press Connect: the meter&apos;s own maker, model, serial and firmware appear with a live W, V, A and PF reading. Without hardware, tick “a simulated instrument of this make”.</source>
        <translation>‘연결’을 누르면 측정기가 알려 주는 제조사, 모델, 일련번호, 펌웨어와 실시간 W, V, A, PF 값이 나타납니다. 하드웨어 없이 해 보려면 ‘이 제조사의 시뮬레이션 계측기’를 선택합니다.</translation>
    </message>
    <message>
        <source>Enter the calibration due date: a run with an expired calibration is refused unless you allow it, and that is recorded.</source>
        <translation>교정 유효기간을 입력합니다. 교정이 만료된 측정기로는 허용하지 않는 한 측정할 수 없으며, 허용하면 그 사실이 기록됩니다.</translation>
    </message>
    <message>
        <source>Run a preset</source>
        <translation>프리셋으로 측정</translation>
    </message>
    <message>
        <source>On the Session page give the session a name, the operator and the witness, and the target: an OpenAI-compatible endpoint (press Test connection), a DEEPX NPU, a vendor benchmark program or the built-in simulator.</source>
        <translation>세션 화면에서 세션 이름, 시험자, 입회자와 측정 대상을 입력합니다. 측정 대상은 OpenAI 호환 엔드포인트(‘연결 시험’을 누릅니다), DEEPX NPU, 제조사 벤치마크 프로그램 또는 내장 시뮬레이터입니다.</translation>
    </message>
    <message>
        <source>On the Sweep page choose a K-Perf preset (Llama 3.1 8B and 405B, Llama 3.3 70B, EXAONE 32B): it sets the input and output lengths, the concurrent users and how much is measured per point.</source>
        <translation>변수 범위 테스트 화면에서 K-Perf 프리셋(Llama 3.1 8B·405B, Llama 3.3 70B, EXAONE 32B)을 고릅니다. 입력 길이, 출력 길이, 동시 사용자 수와 포인트당 측정량이 정해집니다.</translation>
    </message>
    <message>
        <source>Press Start on the Run page. The idle baseline is measured first, then each point: warm-up requests, then the measurement window. Pause, Stop after this point and Abort are beside Start (a point paused while it is measured is measured again, whole, after Resume); closing the window can leave the run going on its own.</source>
        <translation>측정 화면에서 ‘시작’을 누릅니다. 먼저 유휴 전력을 측정하고, 포인트마다 워밍업 요청 뒤에 측정 구간을 잽니다. ‘일시 정지’, ‘이 포인트 후 중지’, ‘중단’은 ‘시작’ 옆에 있습니다(측정 중에 일시 정지한 포인트는 재개 후 처음부터 다시 측정합니다). 창을 닫아도 측정은 혼자 계속될 수 있습니다.</translation>
    </message>
    <message>
        <source>Read the figures</source>
        <translation>결과 읽기</translation>
    </message>
    <message>
        <source>Results shows one row per sweep point. A shaded row is invalid: the Why invalid column names each cause. The workbook (results.xlsx), summary.csv and the PNG graphs are in the session folder.</source>
        <translation>결과 화면은 포인트마다 한 행을 보여 줍니다. 음영이 있는 행은 무효이며 ‘무효 사유’ 열에 원인이 적힙니다. 측정표(results.xlsx), summary.csv와 PNG 그래프는 세션 폴더에 있습니다.</translation>
    </message>
    <message>
        <source>Curves shows throughput, time to first token and tokens/s per watt against concurrent users. Compare puts two or more sessions (chips) side by side, matching sweep points aligned, and exports them.</source>
        <translation>2차원 그래프는 동시 사용자 수에 따른 처리량, 첫 글자 출력 시간, 와트당 토큰을 보여 줍니다. ‘비교’는 두 개 이상의 세션(칩)을 같은 포인트끼리 맞춰 나란히 보여 주고 내보냅니다.</translation>
    </message>
    <message>
        <source>Sign a session</source>
        <translation>세션 서명</translation>
    </message>
    <message>
        <source>The operator and the witness each sign the session&apos;s manifest.json with their own key, so that any later change to a file shows. Make a key once with “kperf keys new NAME”, then sign with “kperf sign DIR --as operator” (or “--as witness”).</source>
        <translation>시험자와 입회자는 각자의 키로 세션의 manifest.json에 서명합니다. 그러면 나중에 파일이 바뀐 것이 드러납니다. 키는 “kperf keys new 이름”으로 한 번 만들고, “kperf sign 폴더 --as operator”(또는 “--as witness”)로 서명합니다.</translation>
    </message>
    <message>
        <source>“kperf verify DIR --require operator,witness” checks every file, the event log and both signatures; “kperf seal DIR” writes the archive to hand over.</source>
        <translation>“kperf verify 폴더 --require operator,witness”는 모든 파일, 이벤트 기록, 두 서명을 확인합니다. “kperf seal 폴더”는 넘겨줄 보관 파일을 만듭니다.</translation>
    </message>
    <message>
        <source>Metric definitions</source>
        <translation>측정 지표 정의</translation>
    </message>
</context>
<context>
    <name>InstrumentsPanel</name>
    <message>
        <source>Find instruments</source>
        <translation>측정기 찾기</translation>
    </message>
    <message>
        <source>Press “Find instruments” to list the VISA and serial instruments connected to this computer.</source>
        <translation>“측정기 찾기”를 누르면 이 컴퓨터에 연결된 VISA·시리얼 측정기를 보여 줍니다.</translation>
    </message>
    <message>
        <source>Add meter</source>
        <translation>전력계 추가</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>제거</translation>
    </message>
    <message>
        <source>Meters in this plan</source>
        <translation>이 계획의 전력계</translation>
    </message>
    <message>
        <source>A server&apos;s power supplies on separate elements or meters are all “wall” and are summed; other channels are auxiliary.</source>
        <translation>서버의 전원 공급 장치가 여러 엘리먼트나 전력계에 나뉘어 있으면 모두 “벽 전원”으로 두어 합산합니다. 그 밖의 채널은 보조입니다.</translation>
    </message>
    <message>
        <source>wall (summed into the measured power)</source>
        <translation>벽 전원 (측정 전력에 합산)</translation>
    </message>
    <message>
        <source>auxiliary (recorded, never summed)</source>
        <translation>보조 (기록만, 합산 안 함)</translation>
    </message>
    <message>
        <source>due on</source>
        <translation>만료일</translation>
    </message>
    <message>
        <source>a simulated instrument of this make (no hardware)</source>
        <translation>이 제조사의 시뮬레이션 계측기 (하드웨어 없음)</translation>
    </message>
    <message>
        <source>Run even if a calibration has expired (recorded in the session)</source>
        <translation>교정 유효기간이 지났어도 측정 (세션에 기록됨)</translation>
    </message>
    <message>
        <source>Meter</source>
        <translation>전력계</translation>
    </message>
    <message>
        <source>Driver</source>
        <translation>드라이버</translation>
    </message>
    <message>
        <source>Resource</source>
        <translation>리소스</translation>
    </message>
    <message>
        <source>Elements</source>
        <translation>엘리먼트</translation>
    </message>
    <message>
        <source>Update rate</source>
        <translation>갱신 주기</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>역할</translation>
    </message>
    <message>
        <source>Calibration</source>
        <translation>교정 유효기간</translation>
    </message>
    <message>
        <source>wall</source>
        <translation>벽 전원</translation>
    </message>
    <message>
        <source>auxiliary</source>
        <translation>보조</translation>
    </message>
    <message>
        <source>the run&apos;s simulator</source>
        <translation>측정용 시뮬레이터</translation>
    </message>
    <message>
        <source>empty: the run&apos;s own simulator</source>
        <translation>비워 두면: 측정용 시뮬레이터</translation>
    </message>
    <message>
        <source>not needed</source>
        <translation>필요 없음</translation>
    </message>
    <message>
        <source>No calibration date recorded.</source>
        <translation>교정 유효기간이 기록되지 않았습니다.</translation>
    </message>
    <message>
        <source>Calibration expired on {0}: recalibrate the meter, or allow expired calibration below.</source>
        <translation>교정 유효기간이 {0}에 지났습니다. 전력계를 다시 교정하거나, 아래에서 만료된 교정을 허용하세요.</translation>
    </message>
    <message>
        <source>Calibration valid until {0}.</source>
        <translation>교정 유효기간: {0}까지.</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>찾는 중…</translation>
    </message>
    <message>
        <source>Found: {0}</source>
        <translation>찾음: {0}</translation>
    </message>
    <message>
        <source>No instruments found. Check the cable and that the instrument is switched on; a network instrument can be typed in as TCPIP0::address::inst0::INSTR.</source>
        <translation>측정기를 찾지 못했습니다. 케이블과 전원을 확인하세요. 네트워크 측정기는 TCPIP0::주소::inst0::INSTR 형식으로 직접 입력할 수 있습니다.</translation>
    </message>
    <message>
        <source>The search for instruments failed: {0}</source>
        <translation>측정기 찾기에 실패했습니다: {0}</translation>
    </message>
    <message>
        <source>Give element numbers like 1 or 1, 2.</source>
        <translation>엘리먼트 번호를 1 또는 1, 2처럼 입력하세요.</translation>
    </message>
    <message>
        <source>Give the instrument&apos;s resource, like TCPIP0::192.168.1.20::inst0::INSTR or a serial port; press Find instruments to list them, or tick “a simulated instrument of this make”.</source>
        <translation>측정기의 리소스(예: TCPIP0::192.168.1.20::inst0::INSTR 또는 시리얼 포트)를 입력하십시오. ‘측정기 찾기’로 목록을 볼 수 있고, 하드웨어가 없으면 ‘이 제조사의 시뮬레이션 계측기’를 선택하십시오.</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>연결 중…</translation>
    </message>
    <message>
        <source>Connected; reading live.</source>
        <translation>연결됨. 실시간으로 읽는 중입니다.</translation>
    </message>
    <message>
        <source>Disconnected.</source>
        <translation>연결 해제됨.</translation>
    </message>
    <message>
        <source>Letting go of the instrument…</source>
        <translation>측정기 연결을 해제하는 중…</translation>
    </message>
</context>
<context>
    <name>KeyChooser</name>
    <message>
        <source>Key file (USB stick)…</source>
        <translation>키 파일 (USB 메모리)…</translation>
    </message>
    <message>
        <source>Make a new key…</source>
        <translation>새 키 만들기…</translation>
    </message>
    <message>
        <source>Unsigned</source>
        <translation>서명하지 않음</translation>
    </message>
    <message>
        <source>Choose a private key file</source>
        <translation>개인 키 파일 선택</translation>
    </message>
    <message>
        <source>Keys (*.key *.pem);;All files (*)</source>
        <translation>키 (*.key *.pem);;모든 파일 (*)</translation>
    </message>
    <message>
        <source>New key</source>
        <translation>새 키</translation>
    </message>
    <message>
        <source>The signer&apos;s name for the new key:</source>
        <translation>새 키의 서명자 이름:</translation>
    </message>
</context>
<context>
    <name>LivePlots</name>
    <message>
        <source>Wall-plug power</source>
        <translation>벽 전원 전력 소모량</translation>
    </message>
    <message>
        <source>time (s)</source>
        <translation>시간 (s)</translation>
    </message>
    <message>
        <source>power (W)</source>
        <translation>전력 (W)</translation>
    </message>
    <message>
        <source>Inferences/s</source>
        <translation>추론/초</translation>
    </message>
    <message>
        <source>inferences/s</source>
        <translation>추론/초</translation>
    </message>
    <message>
        <source>Power against inferences/s</source>
        <translation>추론/초 대비 전력</translation>
    </message>
    <message>
        <source>Output tokens/s</source>
        <translation>초당 출력 토큰</translation>
    </message>
    <message>
        <source>tokens/s</source>
        <translation>토큰/s</translation>
    </message>
    <message>
        <source>Power against tokens/s</source>
        <translation>초당 토큰 대비 전력</translation>
    </message>
    <message>
        <source>output tokens/s</source>
        <translation>초당 출력 토큰</translation>
    </message>
    <message>
        <source>per meter update</source>
        <translation>측정기 갱신마다</translation>
    </message>
    <message>
        <source>point&apos;s rate so far</source>
        <translation>포인트의 현재까지 속도</translation>
    </message>
    <message>
        <source>idle, warm-up or changeover</source>
        <translation>유휴, 워밍업 또는 전환 구간</translation>
    </message>
</context>
<context>
    <name>LogPane</name>
    <message>
        <source>Show power and token readings</source>
        <translation>전력·토큰 측정값 표시</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>지우기</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>A run is in progress. It does not need the window: it can go on and finish on its own, writing its session folder as usual.</source>
        <translation>측정이 진행 중입니다. 측정에는 창이 필요 없어 혼자 끝까지 진행하며 세션 폴더도 평소처럼 기록됩니다.</translation>
    </message>
    <message>
        <source>Session folder: {0}
Open it under Results when the run has ended.</source>
        <translation>세션 폴더: {0}
측정이 끝나면 결과 화면에서 여십시오.</translation>
    </message>
    <message>
        <source>Keep the run going and close</source>
        <translation>측정은 계속하고 창 닫기</translation>
    </message>
    <message>
        <source>Abort the run and close</source>
        <translation>측정을 중단하고 창 닫기</translation>
    </message>
    <message>
        <source>Session</source>
        <translation>세션</translation>
    </message>
    <message>
        <source>Instruments</source>
        <translation>측정기</translation>
    </message>
    <message>
        <source>Sweep</source>
        <translation>변수 범위 테스트</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>측정</translation>
    </message>
    <message>
        <source>Results</source>
        <translation>결과</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>로그</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>파일(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Open plan…</source>
        <translation>계획 열기(&amp;O)…</translation>
    </message>
    <message>
        <source>&amp;Save plan…</source>
        <translation>계획 저장(&amp;S)…</translation>
    </message>
    <message>
        <source>Open &amp;session…</source>
        <translation>세션 열기(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>끝내기(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>측정(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Start</source>
        <translation>시작(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Pause / resume</source>
        <translation>일시 정지 / 재개(&amp;P)</translation>
    </message>
    <message>
        <source>S&amp;top after this point</source>
        <translation>이 포인트 후 중지(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Abort</source>
        <translation>중단(&amp;A)</translation>
    </message>
    <message>
        <source>Run the &amp;demo sweep</source>
        <translation>데모 측정 실행(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>언어(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>도움말(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Guide and metric definitions</source>
        <translation>안내 및 측정 지표 정의(&amp;G)</translation>
    </message>
    <message>
        <source>&amp;About K-Perf Lab</source>
        <translation>K-Perf Lab 정보(&amp;A)</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>언어</translation>
    </message>
    <message>
        <source>Change the language when the run has ended.</source>
        <translation>측정이 끝난 뒤 언어를 바꾸세요.</translation>
    </message>
    <message>
        <source>About K-Perf Lab</source>
        <translation>K-Perf Lab 정보</translation>
    </message>
    <message>
        <source>K-Perf Lab {0}

Measures how fast an AI chip serves a language model and how much wall-plug power it draws.</source>
        <translation>K-Perf Lab {0}

AI 칩이 언어 모델을 얼마나 빠르게 서빙하는지, 벽 전원 전력을 얼마나 소모하는지 측정합니다.</translation>
    </message>
    <message>
        <source>Preset applied: {0}</source>
        <translation>프리셋 적용: {0}</translation>
    </message>
    <message>
        <source>The plan cannot run yet: {0}: {1}</source>
        <translation>계획을 아직 실행할 수 없습니다: {0}: {1}</translation>
    </message>
    <message>
        <source>A meter&apos;s calibration has expired: {0}. Recalibrate it, or allow expired calibration on the Instruments page.</source>
        <translation>전력계의 교정 유효기간이 지났습니다: {0}. 다시 교정하거나, 측정기 페이지에서 만료된 교정을 허용하세요.</translation>
    </message>
    <message>
        <source>Open a test plan</source>
        <translation>시험 계획 열기</translation>
    </message>
    <message>
        <source>Test plans (*.toml)</source>
        <translation>시험 계획 (*.toml)</translation>
    </message>
    <message>
        <source>{0} cannot be read ({1}).</source>
        <translation>{0} 파일을 읽을 수 없습니다 ({1}).</translation>
    </message>
    <message>
        <source>{0} is not a valid TOML file: {1}</source>
        <translation>{0} 파일이 올바른 TOML이 아닙니다: {1}</translation>
    </message>
    <message>
        <source>Plan opened: {0}</source>
        <translation>계획 열림: {0}</translation>
    </message>
    <message>
        <source>Test plan</source>
        <translation>시험 계획</translation>
    </message>
    <message>
        <source>The plan is not saved: {0}: {1}</source>
        <translation>계획을 저장하지 않았습니다: {0}: {1}</translation>
    </message>
    <message>
        <source>Save the test plan</source>
        <translation>시험 계획 저장</translation>
    </message>
    <message>
        <source>{0} cannot be written ({1}).</source>
        <translation>{0} 파일을 쓸 수 없습니다 ({1}).</translation>
    </message>
    <message>
        <source>Plan saved: {0}</source>
        <translation>계획 저장됨: {0}</translation>
    </message>
    <message>
        <source>Letting go of the instruments before the run…</source>
        <translation>측정 전에 측정기 연결을 해제하는 중…</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>준비됨</translation>
    </message>
    <message>
        <source>Starting the run…</source>
        <translation>측정을 시작하는 중…</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>측정 중</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>일시 정지됨</translation>
    </message>
    <message>
        <source>Stopping after this point…</source>
        <translation>이 포인트가 끝나면 중지합니다…</translation>
    </message>
    <message>
        <source>Aborting…</source>
        <translation>중단하는 중…</translation>
    </message>
    <message>
        <source>Its results were rebuilt from the journal and are shown under Results.</source>
        <translation>결과는 저널에서 다시 만들어 결과 화면에 표시했습니다.</translation>
    </message>
    <message>
        <source>Its results were not rebuilt: open the session under Results to rebuild them.</source>
        <translation>결과를 다시 만들지 않았습니다. 결과 화면에서 세션을 열어 다시 만드십시오.</translation>
    </message>
    <message>
        <source>A run is in progress</source>
        <translation>측정 진행 중</translation>
    </message>
</context>
<context>
    <name>MeterLiveBox</name>
    <message>
        <source>Instrument</source>
        <translation>측정기</translation>
    </message>
    <message>
        <source>Connect</source>
        <translation>연결</translation>
    </message>
    <message>
        <source>Element</source>
        <translation>엘리먼트</translation>
    </message>
    <message>
        <source>Maker</source>
        <translation>제조사</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>모델</translation>
    </message>
    <message>
        <source>Serial</source>
        <translation>일련번호</translation>
    </message>
    <message>
        <source>Firmware</source>
        <translation>펌웨어</translation>
    </message>
    <message>
        <source>Disconnect</source>
        <translation>연결 해제</translation>
    </message>
    <message>
        <source>Not connected.</source>
        <translation>연결되지 않음.</translation>
    </message>
</context>
<context>
    <name>MeterPreview</name>
    <message>
        <source>The {0} driver failed: {1}</source>
        <translation>{0} 드라이버 오류: {1}</translation>
    </message>
</context>
<context>
    <name>NoteDialog</name>
    <message>
        <source>Add note</source>
        <translation>메모 추가</translation>
    </message>
    <message>
        <source>What should be on record</source>
        <translation>기록으로 남길 내용</translation>
    </message>
    <message>
        <source>the whole session</source>
        <translation>세션 전체</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>메모</translation>
    </message>
    <message>
        <source>About point</source>
        <translation>대상 측정 지점</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>키</translation>
    </message>
    <message>
        <source>Written by</source>
        <translation>작성자</translation>
    </message>
    <message>
        <source>The run is finalised, so the note is an amendment: a new, chained record in amendments.jsonl. Nothing already recorded changes.</source>
        <translation>실행이 종료되었으므로 이 메모는 수정 기록이 됩니다. amendments.jsonl 에 해시 사슬로 연결된 새 기록이 추가되며, 이미 기록된 내용은 바뀌지 않습니다.</translation>
    </message>
</context>
<context>
    <name>OnDeviceFields</name>
    <message>
        <source>Browse…</source>
        <translation>찾아보기…</translation>
    </message>
    <message>
        <source>NPU ids, e.g. 0, 1 (empty: 0)</source>
        <translation>NPU 번호, 예: 0, 1 (비워 두면 0)</translation>
    </message>
    <message>
        <source>The program and its arguments, as on a command line; quote an argument that holds spaces. {concurrency} and {seconds} are filled in for each point.</source>
        <translation>명령줄에 쓰듯 프로그램과 인수를 입력합니다. 공백이 든 인수는 따옴표로 묶으세요. {concurrency}와 {seconds}는 포인트마다 채워집니다.</translation>
    </message>
    <message>
        <source>How the program&apos;s output is read; “regex” reads it with your own expressions.</source>
        <translation>프로그램 출력을 읽는 방식입니다. “regex”는 직접 입력한 정규 표현식으로 읽습니다.</translation>
    </message>
    <message>
        <source>Seconds at the start of each run of the program that are not measured (model loading), where the program does not say itself when it measured.</source>
        <translation>프로그램이 측정 구간을 스스로 알려 주지 않을 때, 매 실행의 처음부터 측정하지 않는 시간(초)입니다 (모델 로딩).</translation>
    </message>
    <message>
        <source>optional: the folder the program runs in</source>
        <translation>선택: 프로그램을 실행할 폴더</translation>
    </message>
    <message>
        <source>Each expression has one (group) that captures a number; throughput or inferences is needed.</source>
        <translation>각 표현식에는 숫자 하나를 잡는 (그룹)이 하나 있어야 합니다. throughput이나 inferences 중 하나는 꼭 필요합니다.</translation>
    </message>
    <message>
        <source>Model file</source>
        <translation>모델 파일</translation>
    </message>
    <message>
        <source>NPU devices</source>
        <translation>NPU 장치</translation>
    </message>
    <message>
        <source>Program and arguments</source>
        <translation>프로그램과 인수</translation>
    </message>
    <message>
        <source>Output parser</source>
        <translation>출력 파서</translation>
    </message>
    <message>
        <source>Expressions</source>
        <translation>정규 표현식</translation>
    </message>
    <message>
        <source>Settle time</source>
        <translation>안정화 시간</translation>
    </message>
    <message>
        <source>Working folder</source>
        <translation>작업 폴더</translation>
    </message>
    <message>
        <source>Give NPU ids as whole numbers separated by commas, like 0, 1.</source>
        <translation>NPU 번호를 0, 1처럼 쉼표로 구분한 정수로 입력하세요.</translation>
    </message>
    <message>
        <source>A quotation mark is not closed in the program and arguments.</source>
        <translation>프로그램과 인수에 닫히지 않은 따옴표가 있습니다.</translation>
    </message>
    <message>
        <source>Choose the compiled model</source>
        <translation>컴파일된 모델 선택</translation>
    </message>
    <message>
        <source>DEEPX models (*.dxnn);;All files (*)</source>
        <translation>DEEPX 모델 (*.dxnn);;모든 파일 (*)</translation>
    </message>
    <message>
        <source>Choose the program&apos;s working folder</source>
        <translation>프로그램의 작업 폴더 선택</translation>
    </message>
</context>
<context>
    <name>OperatorDialog</name>
    <message>
        <source>Switch the server</source>
        <translation>서버 전환</translation>
    </message>
    <message>
        <source>The next points use precision “{0}”. Switch the server to it now; the run waits until you press Continue.</source>
        <translation>다음 포인트는 정밀도 “{0}”를 사용합니다. 지금 서버를 전환하세요. 계속을 누를 때까지 측정이 기다립니다.</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>계속</translation>
    </message>
    <message>
        <source>Abort the run</source>
        <translation>측정 중단</translation>
    </message>
</context>
<context>
    <name>Record</name>
    <message>
        <source>Session</source>
        <translation>세션</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>측정 대상</translation>
    </message>
    <message>
        <source>System</source>
        <translation>시스템</translation>
    </message>
    <message>
        <source>Instruments</source>
        <translation>측정기</translation>
    </message>
    <message>
        <source>Vendor figures</source>
        <translation>제조사 프로그램 수치</translation>
    </message>
    <message>
        <source>Uncertainty</source>
        <translation>불확도</translation>
    </message>
    <message>
        <source>Limit</source>
        <translation>한계</translation>
    </message>
    <message>
        <source>Not computed</source>
        <translation>계산하지 않음</translation>
    </message>
    <message>
        <source>Event log</source>
        <translation>이벤트 기록</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>내보내기</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>이름</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>시험자</translation>
    </message>
    <message>
        <source>Witness</source>
        <translation>입회자</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>메모</translation>
    </message>
    <message>
        <source>Ambient temperature (C)</source>
        <translation>주변 온도 (C)</translation>
    </message>
    <message>
        <source>Expired calibration allowed</source>
        <translation>교정 만료 허용</translation>
    </message>
    <message>
        <source>Run status</source>
        <translation>측정 상태</translation>
    </message>
    <message>
        <source>Started (UTC)</source>
        <translation>시작 (UTC)</translation>
    </message>
    <message>
        <source>Finished (UTC)</source>
        <translation>종료 (UTC)</translation>
    </message>
    <message>
        <source>Interrupted</source>
        <translation>중단됨</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>종류</translation>
    </message>
    <message>
        <source>Endpoint</source>
        <translation>엔드포인트</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>모델</translation>
    </message>
    <message>
        <source>API</source>
        <translation>API</translation>
    </message>
    <message>
        <source>Detected</source>
        <translation>감지된 정보</translation>
    </message>
    <message>
        <source>Capabilities</source>
        <translation>지원 기능</translation>
    </message>
    <message>
        <source>Prompt lengths</source>
        <translation>프롬프트 길이</translation>
    </message>
    <message>
        <source>Software</source>
        <translation>소프트웨어</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>호스트</translation>
    </message>
    <message>
        <source>Python</source>
        <translation>Python</translation>
    </message>
    <message>
        <source>Clock</source>
        <translation>시계</translation>
    </message>
    <message>
        <source>Clock anchor (UTC)</source>
        <translation>시계 기준점 (UTC)</translation>
    </message>
    <message>
        <source>Idle baseline (s)</source>
        <translation>유휴 전력 측정 시간 (s)</translation>
    </message>
    <message>
        <source>Wall power</source>
        <translation>벽 전원 전력</translation>
    </message>
    <message>
        <source>Rows left out</source>
        <translation>빠진 행</translation>
    </message>
    <message>
        <source>System under test</source>
        <translation>시험 대상 시스템</translation>
    </message>
    <message>
        <source>Server counters</source>
        <translation>서버 카운터</translation>
    </message>
    <message>
        <source>Client machine</source>
        <translation>측정 PC</translation>
    </message>
    <message>
        <source>Load client</source>
        <translation>부하 생성 클라이언트</translation>
    </message>
    <message>
        <source>Saturation limit</source>
        <translation>포화 판정 한계</translation>
    </message>
    <message>
        <source>Tool</source>
        <translation>도구</translation>
    </message>
    <message>
        <source>Operating system</source>
        <translation>운영체제</translation>
    </message>
    <message>
        <source>Host name</source>
        <translation>호스트 이름</translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation>아키텍처</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>Logical CPUs</source>
        <translation>논리 CPU 수</translation>
    </message>
    <message>
        <source>Memory (GiB)</source>
        <translation>메모리 (GiB)</translation>
    </message>
    <message>
        <source>Packages</source>
        <translation>패키지</translation>
    </message>
</context>
<context>
    <name>RegexTable</name>
    <message>
        <source>Field</source>
        <translation>항목</translation>
    </message>
    <message>
        <source>Regular expression</source>
        <translation>정규 표현식</translation>
    </message>
</context>
<context>
    <name>ResultsPanel</name>
    <message>
        <source>Open session…</source>
        <translation>세션 열기…</translation>
    </message>
    <message>
        <source>Export results</source>
        <translation>결과 내보내기</translation>
    </message>
    <message>
        <source>Rebuild results.xlsx, summary.csv, the PNG plots and manifest.json from the journal</source>
        <translation>저널에서 results.xlsx, summary.csv, PNG 그래프와 manifest.json을 다시 만듭니다</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>폴더 열기</translation>
    </message>
    <message>
        <source>No session open.</source>
        <translation>열린 세션이 없습니다.</translation>
    </message>
    <message>
        <source>Section</source>
        <translation>구분</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>항목</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>값</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>측정표</translation>
    </message>
    <message>
        <source>Curves</source>
        <translation>2차원 그래프</translation>
    </message>
    <message>
        <source>Session record</source>
        <translation>세션 기록</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>비교</translation>
    </message>
    <message>
        <source>The interrupted session was left as it is, so nothing of it is shown. Open it again and answer Yes to rebuild its results.</source>
        <translation>중단된 세션을 그대로 두었으므로 아무것도 표시하지 않습니다. 다시 열고 ‘예’를 눌러 결과를 다시 만드십시오.</translation>
    </message>
    <message>
        <source>No file manager could be opened. The session is in {0} (the path above can be selected and copied).</source>
        <translation>파일 관리자를 열 수 없습니다. 세션은 {0}에 있습니다 (위의 경로를 선택해 복사할 수 있습니다).</translation>
    </message>
    <message>
        <source>{0} holds no session.sqlite. Choose a session folder written by K-Perf Lab or kperf.</source>
        <translation>{0}에 session.sqlite가 없습니다. K-Perf Lab이나 kperf가 만든 세션 폴더를 고르세요.</translation>
    </message>
    <message>
        <source>A run is still writing {0}. Open it when the run has ended.</source>
        <translation>측정이 아직 {0}에 기록 중입니다. 측정이 끝난 뒤 여세요.</translation>
    </message>
    <message>
        <source>Interrupted session</source>
        <translation>중단된 세션</translation>
    </message>
    <message>
        <source>This session&apos;s run ended without finishing. Close its journal, mark it interrupted and rebuild its results from what was measured?</source>
        <translation>이 세션의 측정은 끝나지 않고 멈췄습니다. 저널을 닫아 중단됨으로 표시하고, 측정된 내용으로 결과를 다시 만들까요?</translation>
    </message>
    <message>
        <source>Closing the interrupted journal and rebuilding the results…</source>
        <translation>중단된 저널을 닫고 결과를 다시 만드는 중…</translation>
    </message>
    <message>
        <source>Reading the session…</source>
        <translation>세션을 읽는 중…</translation>
    </message>
    <message numerus="yes">
        <source>Interrupted run: the results cover only what was measured before it stopped (%n point(s)).</source>
        <translation>
            <numerusform>중단된 측정: 멈추기 전까지 측정한 내용만 결과에 들어 있습니다 (포인트 %n개).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n point(s) invalid; hover over a shaded row for why.</source>
        <translation>
            <numerusform>포인트 %n개가 무효입니다. 음영 행에 마우스를 올리면 사유가 보입니다.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Session {0}: %n point(s), all valid.</source>
        <translation>
            <numerusform>세션 {0}: 포인트 %n개, 모두 유효.</numerusform>
        </translation>
    </message>
    <message>
        <source>Opened session {0}</source>
        <translation>세션 열림: {0}</translation>
    </message>
    <message>
        <source>The session could not be read: {0}</source>
        <translation>세션을 읽을 수 없습니다: {0}</translation>
    </message>
    <message>
        <source>A run is still writing this session; export it when the run has ended.</source>
        <translation>측정이 아직 이 세션에 기록 중입니다. 측정이 끝난 뒤 내보내세요.</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>내보내는 중…</translation>
    </message>
    <message>
        <source>Exported results.xlsx, summary.csv, the plots and manifest.json to {0}.</source>
        <translation>results.xlsx, summary.csv, 그래프와 manifest.json을 {0}에 내보냈습니다.</translation>
    </message>
</context>
<context>
    <name>RunNoteDialog</name>
    <message>
        <source>Add note</source>
        <translation>메모 추가</translation>
    </message>
    <message>
        <source>What should be on record</source>
        <translation>기록으로 남길 내용</translation>
    </message>
    <message>
        <source>the operator or the witness</source>
        <translation>시험자 또는 입회자</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>메모</translation>
    </message>
    <message>
        <source>Written by</source>
        <translation>작성자</translation>
    </message>
    <message>
        <source>The note goes into the session&apos;s event log now, with the time it is given, and into the report.</source>
        <translation>메모는 작성한 시각과 함께 지금 세션의 이벤트 기록에 남고, 보고서(report.pdf)에도 실립니다.</translation>
    </message>
</context>
<context>
    <name>RunPanel</name>
    <message>
        <source>Start</source>
        <translation>시작</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>일시 정지</translation>
    </message>
    <message>
        <source>Stop after this point</source>
        <translation>이 포인트 후 중지</translation>
    </message>
    <message>
        <source>Abort</source>
        <translation>중단</translation>
    </message>
    <message>
        <source>Add note…</source>
        <translation>메모 추가…</translation>
    </message>
    <message>
        <source>Ready. Press Start to run the sweep.</source>
        <translation>준비됨. 시작을 누르면 변수 범위 테스트를 실행합니다.</translation>
    </message>
    <message>
        <source>Point</source>
        <translation>포인트</translation>
    </message>
    <message>
        <source>Sweep</source>
        <translation>전체</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>재개</translation>
    </message>
    <message>
        <source>Starting: checking the target and the instruments…</source>
        <translation>시작 중: 대상과 측정기를 확인하는 중…</translation>
    </message>
    <message>
        <source>Run started; session folder {0}</source>
        <translation>측정 시작. 세션 폴더 {0}</translation>
    </message>
    <message>
        <source>Paused. Requests in flight finish; press Resume to go on.</source>
        <translation>일시 정지됨. 진행 중인 요청은 마저 끝납니다. 계속하려면 재개를 누르세요.</translation>
    </message>
    <message>
        <source>Pause sent</source>
        <translation>일시 정지 보냄</translation>
    </message>
    <message>
        <source>Pause: the current point will be measured again after Resume (its warm-up and measurement window, whole); the interrupted attempt is kept in the session.</source>
        <translation>일시 정지: 현재 포인트는 재개 후 다시 측정합니다(워밍업과 측정 구간 전체). 중단된 시도는 세션에 남습니다.</translation>
    </message>
    <message>
        <source>Resume sent</source>
        <translation>재개 보냄</translation>
    </message>
    <message>
        <source>Paused: the current point will be measured again after Resume (warm-up and measurement window). Requests in flight finish.</source>
        <translation>일시 정지됨: 현재 포인트는 재개 후 다시 측정합니다(워밍업과 측정 구간). 진행 중인 요청은 마저 끝납니다.</translation>
    </message>
    <message>
        <source>Time left: paused</source>
        <translation>남은 시간: 일시 정지됨</translation>
    </message>
    <message>
        <source>Stopping after this point…</source>
        <translation>이 포인트가 끝나면 중지합니다…</translation>
    </message>
    <message>
        <source>Stop sent: the point in progress finishes first</source>
        <translation>중지 보냄: 진행 중인 포인트를 먼저 끝냅니다</translation>
    </message>
    <message>
        <source>Note sent</source>
        <translation>메모 보냄</translation>
    </message>
    <message>
        <source>The run has ended: add the note under Results, where it becomes an amendment.</source>
        <translation>실행이 끝났습니다. 결과 탭에서 메모를 추가하면 수정 기록으로 남습니다.</translation>
    </message>
    <message>
        <source>Held while you answer: no new point starts.</source>
        <translation>답할 때까지 대기: 새 포인트를 시작하지 않습니다.</translation>
    </message>
    <message>
        <source>Run held while a question is open</source>
        <translation>질문에 답할 때까지 측정 대기</translation>
    </message>
    <message>
        <source>Run resumed</source>
        <translation>측정 재개</translation>
    </message>
    <message>
        <source>Abort the run</source>
        <translation>측정 중단</translation>
    </message>
    <message>
        <source>Abort the run now? The run is held while you decide. The point in progress is marked invalid; everything measured so far is kept. If you go on, a point that was being measured is measured again.</source>
        <translation>지금 측정을 중단하시겠습니까? 결정할 때까지 측정은 대기합니다. 진행 중인 포인트는 무효로 표시되고, 지금까지 측정한 것은 모두 보존됩니다. 계속하면 측정 중이던 포인트는 다시 측정합니다.</translation>
    </message>
    <message>
        <source>Aborting…</source>
        <translation>중단하는 중…</translation>
    </message>
    <message>
        <source>Abort sent</source>
        <translation>중단 보냄</translation>
    </message>
    <message>
        <source>The run goes on without the window; its session folder is {0}</source>
        <translation>측정은 창 없이 계속됩니다. 세션 폴더: {0}</translation>
    </message>
    <message>
        <source>Point {0}: {1}</source>
        <translation>포인트 {0}: {1}</translation>
    </message>
    <message>
        <source>Point {0} of {1}</source>
        <translation>포인트 {0}/{1}</translation>
    </message>
    <message>
        <source>Sweep: point {0} of {1}</source>
        <translation>전체: 포인트 {0}/{1}</translation>
    </message>
    <message>
        <source>Time left: {0}</source>
        <translation>남은 시간: {0}</translation>
    </message>
    <message>
        <source>Time left: estimating…</source>
        <translation>남은 시간: 계산 중…</translation>
    </message>
    <message>
        <source>Waiting for the operator to switch the server to “{0}”.</source>
        <translation>시험자가 서버를 “{0}”로 전환하기를 기다리는 중입니다.</translation>
    </message>
    <message>
        <source>Continue sent: the server is switched</source>
        <translation>계속 보냄: 서버 전환 완료</translation>
    </message>
    <message>
        <source>The run did not complete.</source>
        <translation>측정이 끝나지 못했습니다.</translation>
    </message>
    <message numerus="yes">
        <source>Run {0}: %n point(s) measured</source>
        <translation>
            <numerusform>측정 {0}: 포인트 %n개 측정</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n invalid; see the table for why</source>
        <translation>
            <numerusform>%n개 무효. 사유는 표를 보세요</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RunProcess</name>
    <message>
        <source>The measurement process could not start ({0}). Check that K-Perf Lab is installed completely.</source>
        <translation>측정 프로세스를 시작할 수 없습니다 ({0}). K-Perf Lab이 완전히 설치되었는지 확인하세요.</translation>
    </message>
    <message>
        <source>The measurement process stopped unexpectedly. What it measured is kept in the session folder.</source>
        <translation>측정 프로세스가 예기치 않게 멈췄습니다. 측정한 내용은 세션 폴더에 보존되어 있습니다.</translation>
    </message>
    <message>
        <source>The run could not start; see the log for the reason.</source>
        <translation>측정을 시작할 수 없습니다. 사유는 로그를 보세요.</translation>
    </message>
    <message>
        <source>The measurement process ended with code {0}. What it measured is kept in the session folder; see the log for the reason.</source>
        <translation>측정 프로세스가 코드 {0}로 끝났습니다. 측정한 내용은 세션 폴더에 남아 있습니다. 사유는 로그를 보세요.</translation>
    </message>
</context>
<context>
    <name>SessionList</name>
    <message>
        <source>Name</source>
        <translation>이름</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>시작</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>상태</translation>
    </message>
    <message>
        <source>Chip / model</source>
        <translation>칩 / 모델</translation>
    </message>
    <message>
        <source>Valid points</source>
        <translation>유효 포인트</translation>
    </message>
    <message>
        <source>— of {0}</source>
        <translation>— / {0}</translation>
    </message>
    <message>
        <source>{0} of {1}</source>
        <translation>{0} / {1}</translation>
    </message>
    <message>
        <source>simulator</source>
        <translation>시뮬레이터</translation>
    </message>
    <message>
        <source>endpoint</source>
        <translation>엔드포인트</translation>
    </message>
    <message>
        <source>DEEPX NPU</source>
        <translation>DEEPX NPU</translation>
    </message>
    <message>
        <source>vendor program</source>
        <translation>제조사 프로그램</translation>
    </message>
</context>
<context>
    <name>SessionPanel</name>
    <message>
        <source>letters, digits, . _ - (the folder name)</source>
        <translation>영문자, 숫자, . _ - (폴더 이름)</translation>
    </message>
    <message>
        <source>e.g. 23.1 (empty: not recorded)</source>
        <translation>예: 23.1 (비워 두면 기록 안 함)</translation>
    </message>
    <message>
        <source>Session</source>
        <translation>세션</translation>
    </message>
    <message>
        <source>Session name</source>
        <translation>세션 이름</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>시험자</translation>
    </message>
    <message>
        <source>Witness</source>
        <translation>입회자</translation>
    </message>
    <message>
        <source>Ambient temperature (°C)</source>
        <translation>주변 온도 (°C)</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>메모</translation>
    </message>
    <message>
        <source>Built-in simulator (no hardware)</source>
        <translation>내장 시뮬레이터 (하드웨어 없음)</translation>
    </message>
    <message>
        <source>OpenAI-compatible endpoint</source>
        <translation>OpenAI 호환 엔드포인트</translation>
    </message>
    <message>
        <source>DEEPX NPU (DX-RT)</source>
        <translation>DEEPX NPU (DX-RT)</translation>
    </message>
    <message>
        <source>Vendor benchmark program</source>
        <translation>벤더 벤치마크 프로그램</translation>
    </message>
    <message>
        <source>Completions (/v1/completions)</source>
        <translation>Completions (/v1/completions)</translation>
    </message>
    <message>
        <source>Chat (/v1/chat/completions)</source>
        <translation>Chat (/v1/chat/completions)</translation>
    </message>
    <message>
        <source>name of the variable, e.g. KPERF_API_KEY</source>
        <translation>환경 변수 이름, 예: KPERF_API_KEY</translation>
    </message>
    <message>
        <source>optional: a local tokenizer.json</source>
        <translation>선택: 로컬 tokenizer.json</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>찾아보기…</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>연결 시험</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>측정 대상</translation>
    </message>
    <message>
        <source>What is measured</source>
        <translation>측정 대상 종류</translation>
    </message>
    <message>
        <source>Endpoint URL</source>
        <translation>엔드포인트 URL</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>모델</translation>
    </message>
    <message>
        <source>API</source>
        <translation>API</translation>
    </message>
    <message>
        <source>API key variable</source>
        <translation>API 키 환경 변수</translation>
    </message>
    <message>
        <source>Tokenizer file</source>
        <translation>토크나이저 파일</translation>
    </message>
    <message>
        <source>Change…</source>
        <translation>바꾸기…</translation>
    </message>
    <message>
        <source>Where sessions are saved</source>
        <translation>세션 저장 위치</translation>
    </message>
    <message>
        <source>Give the temperature as a number in °C, like 23.1.</source>
        <translation>온도를 23.1처럼 °C 단위 숫자로 입력하세요.</translation>
    </message>
    <message>
        <source>Choose the tokenizer file</source>
        <translation>토크나이저 파일 선택</translation>
    </message>
    <message>
        <source>Tokenizer (tokenizer.json *.json)</source>
        <translation>토크나이저 (tokenizer.json *.json)</translation>
    </message>
    <message>
        <source>Save sessions in</source>
        <translation>세션 저장 위치</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>연결 중…</translation>
    </message>
    <message>
        <source>Give the endpoint URL first, like http://127.0.0.1:8000/v1.</source>
        <translation>먼저 엔드포인트 URL을 http://127.0.0.1:8000/v1 처럼 입력하세요.</translation>
    </message>
    <message>
        <source>This kind of target cannot be tested from here.</source>
        <translation>이 종류의 대상은 여기서 시험할 수 없습니다.</translation>
    </message>
    <message>
        <source>Choose the compiled model file (.dxnn) first.</source>
        <translation>먼저 컴파일된 모델 파일(.dxnn)을 고르세요.</translation>
    </message>
    <message>
        <source>Give NPU ids as whole numbers separated by commas, like 0, 1.</source>
        <translation>NPU 번호를 0, 1처럼 쉼표로 구분한 정수로 입력하세요.</translation>
    </message>
    <message>
        <source>Give the program and its arguments first.</source>
        <translation>먼저 프로그램과 인수를 입력하세요.</translation>
    </message>
    <message>
        <source>The model loaded on NPU {0}. DX-RT {1}; {2} device(s) found.</source>
        <translation>NPU {0}에 모델을 올렸습니다. DX-RT {1}, 장치 {2}개를 찾았습니다.</translation>
    </message>
    <message>
        <source>Found the program: {0}</source>
        <translation>프로그램을 찾았습니다: {0}</translation>
    </message>
    <message>
        <source>Connected. The server serves: {0}</source>
        <translation>연결됨. 서버가 제공하는 모델: {0}</translation>
    </message>
    <message>
        <source>no models</source>
        <translation>모델 없음</translation>
    </message>
</context>
<context>
    <name>SessionPicker</name>
    <message>
        <source>Open a session</source>
        <translation>세션 열기</translation>
    </message>
    <message>
        <source>Sessions in {0}</source>
        <translation>{0}의 세션</translation>
    </message>
    <message>
        <source>Looking for sessions…</source>
        <translation>세션을 찾는 중…</translation>
    </message>
    <message>
        <source>Another folder…</source>
        <translation>다른 폴더…</translation>
    </message>
    <message numerus="yes">
        <source>%n session(s). Double-click one to open it.</source>
        <translation>
            <numerusform>세션 %n개. 두 번 클릭하면 엽니다.</numerusform>
        </translation>
    </message>
    <message>
        <source>No sessions in this folder yet. Use “Another folder…” to open one saved elsewhere.</source>
        <translation>이 폴더에는 아직 세션이 없습니다. 다른 곳에 저장된 세션은 ‘다른 폴더…’로 여십시오.</translation>
    </message>
    <message>
        <source>The sessions folder could not be read: {0}</source>
        <translation>세션 폴더를 읽을 수 없습니다: {0}</translation>
    </message>
    <message>
        <source>Open a session folder</source>
        <translation>세션 폴더 열기</translation>
    </message>
</context>
<context>
    <name>SignDialog</name>
    <message>
        <source>Sign as operator</source>
        <translation>시험자로 서명</translation>
    </message>
    <message>
        <source>Sign as witness</source>
        <translation>입회자로 서명</translation>
    </message>
    <message>
        <source>the key&apos;s name</source>
        <translation>키의 이름</translation>
    </message>
    <message>
        <source>Session</source>
        <translation>세션</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>키</translation>
    </message>
    <message>
        <source>Signer&apos;s name</source>
        <translation>서명자 이름</translation>
    </message>
    <message>
        <source>The signature covers manifest.json, and through it every file of the session. The private key never enters the session folder.</source>
        <translation>서명은 manifest.json 을 통해 세션의 모든 파일을 보증합니다. 개인 키는 세션 폴더에 들어가지 않습니다.</translation>
    </message>
</context>
<context>
    <name>SweepCurves</name>
    <message>
        <source>concurrent users</source>
        <translation>동시 사용자 수</translation>
    </message>
    <message>
        <source>Throughput</source>
        <translation>처리량</translation>
    </message>
    <message>
        <source>parallel jobs</source>
        <translation>병렬 작업 수</translation>
    </message>
    <message>
        <source>inferences/s</source>
        <translation>추론/초</translation>
    </message>
    <message>
        <source>Latency per inference</source>
        <translation>추론당 지연 시간</translation>
    </message>
    <message>
        <source>latency (ms)</source>
        <translation>지연 시간 (ms)</translation>
    </message>
    <message>
        <source>Inferences per second per watt</source>
        <translation>와트당 추론/초</translation>
    </message>
    <message>
        <source>inferences/s per W</source>
        <translation>와트당 추론/초</translation>
    </message>
    <message>
        <source>Power against inferences/s</source>
        <translation>추론/초 대비 전력</translation>
    </message>
    <message>
        <source>power (W)</source>
        <translation>전력 (W)</translation>
    </message>
    <message>
        <source>output tokens/s</source>
        <translation>초당 출력 토큰</translation>
    </message>
    <message>
        <source>Time to first token</source>
        <translation>첫 글자 출력 시간</translation>
    </message>
    <message>
        <source>TTFT (ms)</source>
        <translation>첫 글자 출력 시간 (ms)</translation>
    </message>
    <message>
        <source>Tokens per second per watt</source>
        <translation>와트당 토큰</translation>
    </message>
    <message>
        <source>tokens/s per W</source>
        <translation>와트당 초당 토큰</translation>
    </message>
    <message>
        <source>Per user against total</source>
        <translation>전체 대비 사용자당 초당 토큰</translation>
    </message>
    <message>
        <source>total output tokens/s</source>
        <translation>전체 초당 출력 토큰</translation>
    </message>
    <message>
        <source>tokens/s per user</source>
        <translation>사용자당 초당 토큰</translation>
    </message>
    <message>
        <source>latency</source>
        <translation>지연 시간</translation>
    </message>
    <message>
        <source>TTFT</source>
        <translation>첫 글자 출력 시간</translation>
    </message>
    <message>
        <source>Nothing measured for this curve
(no wall power meter in this session?)</source>
        <translation>이 그래프에 측정된 값이 없습니다
(이 세션에 벽 전원 전력계가 없나요?)</translation>
    </message>
</context>
<context>
    <name>SweepPanel</name>
    <message>
        <source>Choose a K-Perf preset…</source>
        <translation>K-Perf 프리셋 선택…</translation>
    </message>
    <message>
        <source>A preset sets the session name, the model and the whole sweep; people, endpoint and instruments stay.</source>
        <translation>프리셋은 세션 이름, 모델과 변수 범위 전체를 바꿉니다. 시험자, 엔드포인트, 측정기는 그대로입니다.</translation>
    </message>
    <message>
        <source>Open plan…</source>
        <translation>계획 열기…</translation>
    </message>
    <message>
        <source>Save plan…</source>
        <translation>계획 저장…</translation>
    </message>
    <message>
        <source>Preset</source>
        <translation>프리셋</translation>
    </message>
    <message>
        <source>e.g. bf16, fp8 (empty: default)</source>
        <translation>예: bf16, fp8 (비워 두면 기본값)</translation>
    </message>
    <message>
        <source>Input/output variable range</source>
        <translation>입출력 변수 범위</translation>
    </message>
    <message>
        <source>Input lengths (tokens)</source>
        <translation>입력 길이 (토큰)</translation>
    </message>
    <message>
        <source>Output lengths (tokens)</source>
        <translation>출력 길이 (토큰)</translation>
    </message>
    <message>
        <source>Not used: an on-device target runs whole inferences, with no prompt or answer lengths. The plan leaves them out.</source>
        <translation>사용하지 않음: 온디바이스 대상은 프롬프트나 답변 길이 없이 추론 단위로 실행합니다. 계획에서는 빠집니다.</translation>
    </message>
    <message>
        <source>Concurrent users</source>
        <translation>동시 사용자 수</translation>
    </message>
    <message>
        <source>Precision labels</source>
        <translation>정밀도</translation>
    </message>
    <message>
        <source>Requests per point</source>
        <translation>포인트당 요청 수</translation>
    </message>
    <message>
        <source>Seconds per point</source>
        <translation>포인트당 측정 시간</translation>
    </message>
    <message>
        <source>as many as concurrent users</source>
        <translation>동시 사용자 수만큼</translation>
    </message>
    <message>
        <source>How much is measured</source>
        <translation>측정량</translation>
    </message>
    <message>
        <source>Warm-up requests per point</source>
        <translation>포인트당 워밍업 요청</translation>
    </message>
    <message>
        <source>Idle baseline before the sweep</source>
        <translation>측정 전 유휴 전력 측정</translation>
    </message>
    <message>
        <source>Parallel jobs</source>
        <translation>병렬 작업 수</translation>
    </message>
    <message>
        <source>Inferences per point</source>
        <translation>포인트당 추론 수</translation>
    </message>
    <message>
        <source>Warm-up inferences per point</source>
        <translation>포인트당 워밍업 추론</translation>
    </message>
    <message>
        <source>as many as parallel jobs</source>
        <translation>병렬 작업 수만큼</translation>
    </message>
    <message>
        <source>Give at least one value.</source>
        <translation>값을 하나 이상 입력하세요.</translation>
    </message>
    <message>
        <source>“{0}” is not a whole number. Give whole numbers separated by commas, like 1, 8, 32.</source>
        <translation>“{0}”은(는) 정수가 아닙니다. 1, 8, 32처럼 쉼표로 구분한 정수를 입력하세요.</translation>
    </message>
    <message>
        <source>{0} is out of range: each value must be {1} to {2}.</source>
        <translation>{0}은(는) 범위를 벗어났습니다: 각 값은 {1}~{2}이어야 합니다.</translation>
    </message>
    <message>
        <source>A value is given twice; give each once.</source>
        <translation>같은 값이 두 번 있습니다. 값마다 한 번만 입력하세요.</translation>
    </message>
    <message>
        <source>At most {0} values.</source>
        <translation>값은 최대 {0}개입니다.</translation>
    </message>
    <message numerus="yes">
        <source>%n sweep point(s)</source>
        <translation>
            <numerusform>측정 포인트 %n개</numerusform>
        </translation>
    </message>
    <message>
        <source>about {0} of measuring, plus warm-up</source>
        <translation>측정 약 {0}, 워밍업 별도</translation>
    </message>
</context>
<context>
    <name>WitnessBar</name>
    <message>
        <source>No session open.</source>
        <translation>열린 세션이 없습니다.</translation>
    </message>
    <message>
        <source>Sign as operator</source>
        <translation>시험자로 서명</translation>
    </message>
    <message>
        <source>Sign as witness</source>
        <translation>입회자로 서명</translation>
    </message>
    <message>
        <source>Add note…</source>
        <translation>메모 추가…</translation>
    </message>
    <message>
        <source>Seal bundle…</source>
        <translation>봉인 파일 만들기…</translation>
    </message>
    <message>
        <source>Open sealed bundle…</source>
        <translation>봉인 파일 열기…</translation>
    </message>
    <message>
        <source>Checking the session&apos;s files and signatures…</source>
        <translation>세션의 파일과 서명을 확인하는 중…</translation>
    </message>
    <message>
        <source>operator</source>
        <translation>시험자</translation>
    </message>
    <message>
        <source>witness</source>
        <translation>입회자</translation>
    </message>
    <message>
        <source>{0}: {1} ({2})</source>
        <translation>{0}: {1} ({2})</translation>
    </message>
    <message>
        <source>{0}: INVALID</source>
        <translation>{0}: 무효</translation>
    </message>
    <message>
        <source>{0}: not signed</source>
        <translation>{0}: 서명 없음</translation>
    </message>
    <message numerus="yes">
        <source>%n amendment(s)</source>
        <translation>
            <numerusform>수정 기록 %n건</numerusform>
        </translation>
    </message>
    <message>
        <source>Intact</source>
        <translation>무결</translation>
    </message>
    <message>
        <source>NOT intact</source>
        <translation>무결하지 않음</translation>
    </message>
    <message>
        <source> (sealed bundle, read-only)</source>
        <translation> (봉인 파일, 읽기 전용)</translation>
    </message>
    <message>
        <source>Passphrase</source>
        <translation>암호</translation>
    </message>
    <message>
        <source>Passphrase for {0}:</source>
        <translation>{0}의 암호:</translation>
    </message>
    <message>
        <source>Choose a key, a key file, or make a new key.</source>
        <translation>키나 키 파일을 고르거나 새 키를 만드십시오.</translation>
    </message>
    <message>
        <source>Signed as {0} by {1}.</source>
        <translation>{1} 님이 {0}(으)로 서명했습니다.</translation>
    </message>
    <message>
        <source>Amendment {0} added.</source>
        <translation>수정 기록 {0}을(를) 추가했습니다.</translation>
    </message>
    <message>
        <source>Seal the session</source>
        <translation>세션 봉인</translation>
    </message>
    <message>
        <source>Sealed bundles (*.kperf.zip)</source>
        <translation>봉인 파일 (*.kperf.zip)</translation>
    </message>
    <message>
        <source>Sealed into {0}.</source>
        <translation>{0}(으)로 봉인했습니다.</translation>
    </message>
    <message>
        <source>Open a sealed bundle</source>
        <translation>봉인 파일 열기</translation>
    </message>
    <message>
        <source>Opened the sealed bundle {0} (read-only).</source>
        <translation>봉인 파일 {0}을(를) 열었습니다 (읽기 전용).</translation>
    </message>
</context>
</TS>
