-- wrk script: a non-streamed chat completion, the gateway's most common request.
-- Environment: BENCH_MODEL (default bench-model), BENCH_TOKEN (Authorization bearer, optional).
local model = os.getenv("BENCH_MODEL") or "bench-model"
local token = os.getenv("BENCH_TOKEN")

wrk.method = "POST"
wrk.path = "/v1/chat/completions"
wrk.headers["Content-Type"] = "application/json"
if token and token ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. token
end
wrk.body = '{"model":"' .. model .. '","stream":false,'
    .. '"messages":[{"role":"system","content":"You are terse."},'
    .. '{"role":"user","content":"Say hello to the benchmark in five words."}]}'
-- No response() callback: calling into Lua per response would make wrk, not the server,
-- the bottleneck. Non-2xx answers show up in wrk's summary instead.
