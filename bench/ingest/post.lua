-- wrk script for POST /api/v1/responses (bench/ingest/run.sh).
--
-- Environment:
--   HAILONG_TOKENS  comma-separated kiosk tokens (hlk_…); requests go round-robin over them
--   HAILONG_OFFICER officer badge to rate (default B-1)
--   HAILONG_RATE    optional: a fixed total request rate (req/s) shared by all threads; each thread hands out
--                   send slots 1/rate apart with delay(), so the connections never send faster than that.
--                   Unset: closed loop, every connection sends as soon as its previous answer arrived.
--   HAILONG_THREADS the -t given to wrk (needed to split HAILONG_RATE between threads)
--   HAILONG_GET     optional: send GET <path> instead (expects 200), for the latency floor of the machine
--
-- Every request carries a fresh UUID v4 as Idempotency-Key (random bits from a per-thread PRNG seeded from
-- /dev/urandom; the last 12 hex digits hold the thread number and a per-thread counter, so keys cannot collide
-- within a run whatever the PRNG does) and a submitted_at of "now" in +07:00 with milliseconds.
-- done() prints machine-readable "RESULT key=value" lines that run.sh parses.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } hl_timespec;
int clock_gettime(int clk_id, hl_timespec *tp);
]]
local ts = ffi.new("hl_timespec")
local function now_realtime()          -- seconds, float
    ffi.C.clock_gettime(0, ts)          -- CLOCK_REALTIME
    return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9
end
local function now_monotonic()
    ffi.C.clock_gettime(1, ts)          -- CLOCK_MONOTONIC
    return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9
end

local threads = {}
local thread_count = 0

function setup(thread)
    thread_count = thread_count + 1
    thread:set("thread_no", thread_count)
    table.insert(threads, thread)
end

local tokens = {}
local officer
local token_index = 0
local counter = 0
local interval = nil         -- seconds between this thread's send slots (fixed-rate mode)
local next_slot = nil
-- globals, so that done() can read them from each thread with thread:get()
statuses_text = ""
non2xx = 0
ok = 0
local statuses = {}
local cached_second = -1
local cached_prefix = ""

function init(args)
    for token in string.gmatch(os.getenv("HAILONG_TOKENS") or "", "[^,]+") do
        table.insert(tokens, token)
    end
    if #tokens == 0 then
        error("HAILONG_TOKENS is empty")
    end
    officer = os.getenv("HAILONG_OFFICER") or "B-1"
    local f = io.open("/dev/urandom", "rb")
    local bytes = f:read(8)
    f:close()
    local seed = 0
    for i = 1, #bytes do
        seed = (seed * 256 + bytes:byte(i)) % 2147483647
    end
    math.randomseed(seed)
    for _ = 1, 10 do math.random() end
    local rate = tonumber(os.getenv("HAILONG_RATE") or "")
    if rate and rate > 0 then
        local n = tonumber(os.getenv("HAILONG_THREADS") or "1")
        interval = n / rate
    end
    wrk.method = "POST"
end

local function hex(n, width)
    return string.format("%0" .. width .. "x", n)
end

local function uuid4()
    counter = counter + 1
    local tn = tonumber(thread_no) or 0   -- global, set by setup()
    -- xxxxxxxx-xxxx-4xxx-yxxx-TTCCCCCCCCCC  (y in 8..b; T thread, C counter)
    return hex(math.random(0, 0xffff), 4) .. hex(math.random(0, 0xffff), 4) .. "-" ..
        hex(math.random(0, 0xffff), 4) .. "-" ..
        "4" .. hex(math.random(0, 0xfff), 3) .. "-" ..
        hex(0x8 + math.random(0, 3), 1) .. hex(math.random(0, 0xfff), 3) .. "-" ..
        hex(tn % 256, 2) .. hex(counter, 10)
end

-- submitted_at: local time in +07:00 with milliseconds (the server accepts [now − 7 d, now + 5 min]).
local function submitted_at()
    local t = now_realtime()
    local second = math.floor(t)
    if second ~= cached_second then
        cached_second = second
        cached_prefix = os.date("!%Y-%m-%dT%H:%M:%S", second + 7 * 3600)
    end
    return string.format("%s.%03d+07:00", cached_prefix, math.floor((t - second) * 1000))
end

-- HAILONG_GET=/healthz: plain GETs of that path instead (run.sh measures the machine's latency floor with it).
local get_path = os.getenv("HAILONG_GET")
local ok_status = get_path and 200 or 201

function request()
    if get_path then
        return wrk.format("GET", get_path, {}, nil)
    end
    token_index = token_index % #tokens + 1
    local body = '{"questionnaire":"kiosk-3","officer":"' .. officer ..
        '","answers":{"overall":3},"submitted_at":"' .. submitted_at() .. '"}'
    return wrk.format(nil, "/api/v1/responses", {
        ["Authorization"] = "Bearer " .. tokens[token_index],
        ["Idempotency-Key"] = uuid4(),
        ["Content-Type"] = "application/json",   -- a headers table replaces wrk.headers, so say it here
    }, body)
end

-- Defined only in fixed-rate mode: wrk decides once, at load, whether to call delay() at all.
local function paced_delay()
    local t = now_monotonic()
    if next_slot == nil or next_slot < t - 0.05 then
        -- first call, or more than 50 ms behind: do not burst to catch up, restart the schedule
        next_slot = t
    else
        next_slot = next_slot + interval
    end
    local ms = (next_slot - t) * 1000
    if ms < 0 then return 0 end
    return ms                           -- wrk truncates to whole milliseconds; the schedule keeps the average
end
if tonumber(os.getenv("HAILONG_RATE") or "") then
    delay = paced_delay
end

function response(status, headers, body)
    if status == ok_status then
        ok = ok + 1
    else
        non2xx = non2xx + 1
        statuses[status] = (statuses[status] or 0) + 1
        local parts = {}
        for code, n in pairs(statuses) do table.insert(parts, code .. ":" .. n) end
        statuses_text = table.concat(parts, ",")
        if non2xx <= 3 then
            io.stderr:write("non-201: " .. status .. " " .. (body or "") .. "\n")
        end
    end
end

function done(summary, latency, requests)
    local total_ok, total_bad = 0, 0
    local codes = {}
    for _, thread in ipairs(threads) do
        total_ok = total_ok + (tonumber(thread:get("ok")) or 0)
        total_bad = total_bad + (tonumber(thread:get("non2xx")) or 0)
        local s = thread:get("statuses_text") or ""
        if s ~= "" then table.insert(codes, s) end
    end
    local seconds = summary.duration / 1e6
    io.write(string.format("RESULT requests=%d\n", summary.requests))
    io.write(string.format("RESULT duration_s=%.3f\n", seconds))
    io.write(string.format("RESULT rate=%.1f\n", summary.requests / seconds))
    io.write(string.format("RESULT ok201=%d\n", total_ok))
    io.write(string.format("RESULT non201=%d\n", total_bad))
    io.write(string.format("RESULT codes=%s\n", table.concat(codes, ";")))
    io.write(string.format("RESULT socket_errors=%d\n",
        summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
    io.write(string.format("RESULT timeouts=%d\n", summary.errors.timeout))
    for _, p in ipairs({ 50, 90, 99, 99.9 }) do
        io.write(string.format("RESULT p%s_ms=%.3f\n", tostring(p), latency:percentile(p) / 1000))
    end
    io.write(string.format("RESULT mean_ms=%.3f\n", latency.mean / 1000))
    io.write(string.format("RESULT max_ms=%.3f\n", latency.max / 1000))
end
