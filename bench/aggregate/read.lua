-- wrk script for GET /api/v1/indices (bench/aggregate/run.sh).
--   wrk -t1 -c1 -d20s --timeout 60s --latency -s read.lua 'http://127.0.0.1:PORT/api/v1/indices?…'
-- Environment: HAILONG_TOKEN, a par (or admin) API token, sent as "Authorization: Bearer …"; or HAILONG_COOKIE.
-- wrk's own --latency table has no 95th percentile: done() prints "RESULT key=value" lines (milliseconds) that
-- run.sh parses, with the count of answers that were not 200.

-- HAILONG_COOKIE instead: an administrator's session cookie (the pages of phase e), sent as "Cookie: …".
if os.getenv("HAILONG_COOKIE") then
    wrk.headers["Cookie"] = os.getenv("HAILONG_COOKIE")
    wrk.headers["Accept"] = "text/html"
else
    wrk.headers["Authorization"] = "Bearer " .. (os.getenv("HAILONG_TOKEN") or error("HAILONG_TOKEN is not set"))
    wrk.headers["Accept"] = "application/json"
end

local threads = {}
function setup(thread)
    table.insert(threads, thread)
end

non200 = 0
ok = 0
function response(status, headers, body)
    if status == 200 then ok = ok + 1 else non200 = non200 + 1 end
end

function done(summary, latency, requests)
    local bad, good = 0, 0
    for _, thread in ipairs(threads) do
        bad = bad + thread:get("non200")
        good = good + thread:get("ok")
    end
    local function ms(us) return string.format("%.2f", us / 1000) end
    io.write(string.format("RESULT requests=%d\n", summary.requests))
    io.write(string.format("RESULT rate=%.2f\n", summary.requests / (summary.duration / 1e6)))
    io.write(string.format("RESULT ok200=%d\nRESULT non200=%d\n", good, bad))
    io.write(string.format("RESULT timeouts=%d\nRESULT socket_errors=%d\n", summary.errors.timeout,
        summary.errors.connect + summary.errors.read + summary.errors.write))
    io.write("RESULT min_ms=" .. ms(latency.min) .. "\n")
    io.write("RESULT mean_ms=" .. ms(latency.mean) .. "\n")
    for _, p in ipairs({ 50, 90, 95, 99 }) do
        io.write(string.format("RESULT p%d_ms=%s\n", p, ms(latency:percentile(p))))
    end
    io.write("RESULT max_ms=" .. ms(latency.max) .. "\n")
end
