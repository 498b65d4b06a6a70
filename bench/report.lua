-- wrk script: optional X-API-Key header and JSON body from the environment, exact figures as one
-- JSON line.
local api_key = os.getenv("NSL_BENCH_API_KEY")
if api_key and api_key ~= "" then
  wrk.headers["X-API-Key"] = api_key
end
-- optional JSON body: the request becomes a POST
local body = os.getenv("NSL_BENCH_BODY")
if body and body ~= "" then
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"min":%d,"mean":%.2f,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d,"p95":%d,"p98":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9), latency.max, latency:percentile(95), latency:percentile(98)))
end
