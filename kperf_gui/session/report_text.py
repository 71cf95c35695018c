"""The words of report.pdf and the signature page, in English and Korean (terms as GLOSSARY.md
and K-Perf use them)."""
from __future__ import annotations

from typing import Any

LANGUAGES = ("en", "ko")

TEXT: dict[str, tuple[Any, Any]] = {
    "title": ("Test report", "시험 성적서"),
    "subtitle": ("Serving performance and wall-plug power of an AI chip (K-Perf method)",
                 "AI 칩의 서빙 성능 및 전력 소모량 (K-Perf 방식)"),
    "page": ("Page {0} of {1}", "{1}쪽 중 {0}쪽"),
    "end": ("End of report", "성적서 끝"),
    "identification": ("1. Identification", "1. 식별 정보"),
    "report_id": ("Report identification", "성적서 식별번호"),
    "session": ("Session", "세션"),
    "laboratory": ("Laboratory", "시험기관"),
    "location": ("Place of testing", "시험 장소"),
    "not_stated": ("not stated in the plan (session.lab / session.location)",
                   "계획서에 기재되지 않음 (session.lab / session.location)"),
    "at_lab": ("at the laboratory", "시험기관 내"),
    "tested": ("Date(s) of testing (UTC)", "시험 일시 (UTC)"),
    "issued": ("Date of issue (UTC)", "발행일 (UTC)"),
    "status": ("Run status", "실행 상태"),
    "software": ("Software", "소프트웨어"),
    "interrupted": ("The run did not finish: the results cover only what was journaled.",
                    "실행이 끝나지 않았습니다. 결과는 기록된 부분만 다룹니다."),
    "sut": ("2. System under test", "2. 시험 대상 시스템"),
    "sut_how": ("Identified from the server's own answers before the run (/v1/models, /version, "
                "/health, /metrics, where present), recorded in the session's event log.",
                "실행 전 서버 자체의 응답(/v1/models, /version, /health, /metrics 등)으로 "
                "식별하였으며, 세션의 이벤트 기록에 남아 있습니다."),
    "sut_plan_only": ("The session holds no answer of the server about itself; it is identified "
                      "by the plan and the probe before the run only.",
                      "세션에 서버 자체의 응답이 없으므로, 계획서와 실행 전 점검 결과로만 "
                      "식별됩니다."),
    "target_kind": ("Kind", "종류"),
    "endpoint": ("Endpoint", "엔드포인트"),
    "model": ("Model", "모델"),
    "api": ("API", "API"),
    "detected": ("Detected before the run", "실행 전 확인"),
    "capabilities": ("Capabilities", "기능"),
    "prompt_lengths": ("Prompt lengths", "프롬프트 길이"),
    "method": ("3. Method", "3. 시험 방법"),
    "method_text": ("K-Perf Lab sweep over input length, output length, concurrent users and "
                    "precision, as the plan below asks (plan.toml in the session folder). Each "
                    "point finishes its warm-up requests before its measurement window opens. "
                    "The metrics are defined as follows (K-Perf Lab's contract, quoted).",
                    "아래 계획서(세션 폴더의 plan.toml)에 따라 입력 길이, 출력 길이, 동시 사용자 "
                    "수, 정밀도를 변화시키며 측정하였습니다(입출력 변수 범위 테스트). 각 측정 "
                    "지점은 예열 요청을 마친 뒤 측정 구간을 시작합니다. 지표의 정의는 다음과 "
                    "같습니다(K-Perf Lab 규약 원문 인용)."),
    "sweep": ("Sweep", "측정 범위"),
    "definitions": ("Metric definitions", "지표 정의"),
    "instruments": ("4. Instruments", "4. 측정 장비"),
    "no_instruments": ("No wall-power instrument: the power columns are empty.",
                       "벽전원 전력계가 없어 전력 항목은 비어 있습니다."),
    "inst_head": (("Channel", "Maker and model", "Serial", "Firmware", "Role", "Rate (Hz)",
                   "Calibration due"),
                  ("채널", "제조사 및 모델", "일련번호", "펌웨어", "역할", "갱신율 (Hz)",
                   "교정 유효기간")),
    "conditions": ("5. Test conditions and client machine", "5. 시험 조건 및 측정 컴퓨터"),
    "ambient": ("Ambient temperature (°C)", "주위 온도 (°C)"),
    "operator": ("Operator", "시험자"),
    "witness": ("Witness", "입회자"),
    "notes": ("Notes", "비고"),
    "results": ("6. Results", "6. 시험 결과"),
    "results_statement": ("The results relate only to the system under test as identified "
                          "above, measured as described.",
                          "이 결과는 위에서 식별한 시험 대상 시스템에 대하여, 기술한 방법으로 "
                          "측정한 것에만 해당합니다."),
    "uncertainty": ("Uncertainty", "불확도"),
    "uncertainty_missing": ("The measurement uncertainty of power and energy is not evaluated "
                            "in this session's results.",
                            "이 세션의 결과에는 전력 및 에너지의 측정 불확도가 평가되어 있지 "
                            "않습니다."),
    "uncertainty_method": ("U(P): the relative measurement uncertainty of the mean power and "
                           "of the energy (the same figure), a worst-case limit from the wall "
                           "meters' accuracy tables for the range each reading was taken on; the "
                           "Session sheet of results.xlsx gives the method.",
                           "U(P): 평균 전력과 에너지의 상대 측정 불확도(같은 값)로, 각 측정값이 "
                           "측정된 레인지에 대한 전력계 정확도 표에서 구한 최악의 경우 한계입니다. "
                           "방법은 results.xlsx의 Session 시트에 있습니다."),
    "uncertainty_empty": ("Where U(P) is empty, it could not be evaluated: ",
                          "U(P)가 비어 있는 지점은 불확도를 평가할 수 없었습니다: "),
    "no_points": ("No sweep point finished.", "완료된 측정 지점이 없습니다."),
    "graphs": ("Graphs", "2차원 그래프"),
    "server_counters": ("Server's own token counts", "서버 자체 토큰 집계"),
    "server_counters_text": ("Per point, the server's prompt and generated token counters "
                             "(/metrics) between the scrapes before and after the point, beside "
                             "ours (every request of the point, warm-up included); more than "
                             "1 % apart makes the point invalid.",
                             "측정 지점마다 지점 전후 /metrics 값으로 구한 서버의 프롬프트 및 "
                             "생성 토큰 수를 클라이언트 집계(워밍업 요청 포함)와 비교합니다. 1 %를 "
                             "넘게 차이 나면 그 지점은 무효입니다."),
    "deviations": ("7. Deviations, pauses and notes", "7. 이탈, 일시 정지 및 메모"),
    "no_deviations": ("None: every point is valid and the run was not paused.",
                      "없음: 모든 측정 지점이 유효하며 실행이 일시 정지되지 않았습니다."),
    "invalid_point": ("Point {0} invalid: {1}", "{0}번 지점 무효: {1}"),
    "amendments_note": ("Notes added after this report was issued are amendments: see "
                        "amendments.jsonl and the signature page added when the session is "
                        "sealed.",
                        "이 성적서 발행 이후에 추가된 메모는 수정 기록입니다. amendments.jsonl "
                        "과 봉인 시 추가되는 서명 페이지를 보십시오."),
    "signatures": ("8. Responsibility and signatures", "8. 책임 및 서명"),
    "signatures_text": ("Electronic signatures over this session's manifest are kept in "
                        "signatures/ (kperf sign); kperf verify checks them.",
                        "이 세션 manifest에 대한 전자 서명은 signatures/ 에 보관되며(kperf "
                        "sign), kperf verify 로 확인합니다."),
    "sig_heading": ("Signatures", "서명"),
    "name": ("Name", "성명"),
    "signature": ("Signature", "서명"),
    "date": ("Date", "일자"),
    "font_missing": ("Korean was asked for, but no font with Hangul was found on this machine "
                     "(install fonts-nanum, or set KPERF_REPORT_FONT to a .ttf with Hangul); "
                     "this report is printed in English.",
                     ""),
    "chars_missing": ("Some characters cannot be printed in the font found ({0}); they are "
                      "shown as '?'. Install fonts-nanum or set KPERF_REPORT_FONT.",
                      "사용 가능한 글꼴({0})에 없는 문자는 '?'로 표시됩니다. fonts-nanum 을 "
                      "설치하거나 KPERF_REPORT_FONT 를 지정하십시오."),
    "sig_page_title": ("Signature page", "서명 페이지"),
    "sig_page_text": ("Added by kperf seal beside signatures/, outside the manifest: the "
                      "signatures, the amendments and the verification of the session as sealed.",
                      "kperf seal 이 signatures/ 에 추가한 페이지로, manifest 에 포함되지 "
                      "않습니다. 봉인 시점의 서명, 수정 기록 및 검증 결과입니다."),
    "manifest_digest": ("SHA-256 of manifest.json", "manifest.json 의 SHA-256"),
    "role": ("Role", "역할"),
    "signer": ("Signer", "서명자"),
    "fingerprint": ("Key fingerprint (SHA-256)", "키 지문 (SHA-256)"),
    "signed_at": ("Signed (UTC)", "서명 일시 (UTC)"),
    "result": ("Result", "결과"),
    "valid": ("valid", "유효"),
    "invalid": ("INVALID", "무효"),
    "missing": ("missing", "없음"),
    "amendments": ("Amendments", "수정 기록"),
    "none": ("none", "없음"),
    "verification": ("Verification (kperf verify)", "검증 결과 (kperf verify)"),
    "intact": ("Intact: every file matches the manifest and the event log chain is unbroken.",
               "무결: 모든 파일이 manifest 와 일치하고 이벤트 기록의 해시 사슬이 온전합니다."),
    "not_intact": ("NOT intact.", "무결하지 않음."),
}

SUMMARY_HEAD: dict[str, tuple[str, str]] = {
    "point": ("Point", "지점"),
    "precision": ("Precision", "정밀도"),
    "input_tokens": ("Input (tok)", "입력 길이"),
    "output_tokens": ("Output (tok)", "출력 길이"),
    "concurrency": ("Users", "동시 사용자"),
    "requests_ok": ("Req. OK / failed", "요청 성공/실패"),
    "ttft_ms_p50": ("TTFT p50 (ms)", "첫 토큰 p50 (ms)"),
    "tpot_ms_mean": ("TPOT (ms)", "TPOT (ms)"),
    "e2e_ms_mean": ("E2E (ms)", "E2E (ms)"),
    "prefill_tokens_per_s": ("Prefill (tok/s)", "프리필 (tok/s)"),
    "output_tokens_per_s": ("Output (tok/s)", "초당 토큰 (tok/s)"),
    "output_tokens_per_s_per_user": ("Per user (tok/s)", "사용자당 (tok/s)"),
    "requests_per_s": ("Inferences/s", "초당 추론"),
    "power_w_mean": ("Power (W)", "전력 (W)"),
    "energy_j": ("Energy (J)", "에너지 (J)"),
    "joules_per_output_token": ("J/token", "J/토큰"),
    "output_tokens_per_s_per_w": ("tok/s/W", "와트당 토큰"),
    "power_w_uncertainty_pct": ("U(P) (%)", "U(P) (%)"),
    "valid": ("Valid", "유효"),
}

PLOT_TITLES: dict[str, tuple[str, str]] = {
    "power_vs_tokens.png": ("Wall-plug power against tokens/s", "초당 토큰 대비 벽전원 전력"),
    "throughput_vs_concurrency.png": ("Throughput against concurrent users",
                                      "동시 사용자 수 대비 처리량"),
    "ttft_vs_concurrency.png": ("TTFT against concurrent users", "동시 사용자 수 대비 첫 토큰 시간"),
    "e2e_vs_concurrency.png": ("Latency against parallel jobs", "병렬 작업 수 대비 지연 시간"),
    "tokens_per_watt_vs_concurrency.png": ("Tokens/s per watt against concurrent users",
                                           "동시 사용자 수 대비 와트당 토큰"),
    "power_vs_time.png": ("Wall-plug power against time", "시간에 따른 벽전원 전력"),
}


def tr(key: str, lang: str) -> str:
    en, ko = TEXT[key]
    return str(ko if lang == "ko" and ko else en)


def tr_tuple(key: str, lang: str) -> tuple[str, ...]:
    en, ko = TEXT[key]
    return tuple(ko if lang == "ko" else en)


def head(column: str, lang: str) -> str:
    en, ko = SUMMARY_HEAD.get(column, (column, column))
    return ko if lang == "ko" else en
