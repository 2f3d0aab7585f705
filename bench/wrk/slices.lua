-- wrk script of bench/gate_bench.py: one request per line of a file, each line sent once.
--
--   wrk -t T -c C -d D --latency -s bench/wrk/slices.lua URL -- FILE METHOD MODE T
--
-- FILE holds one request a line, "<path>\t<body>" (the body may be empty). Line i belongs to
-- thread ((i - 1) % T) + 1 only, so no two threads (and no two requests) ever send the same
-- line: every check-in names a trip of its own. MODE says what a thread does once its slice
-- is spent:
--   cycle   start the slice again (the bare reference and the GETs: sending a line twice is fine);
--   strict  stop the thread and report it: the run had too few trips and its figures are void;
--   drain   stop the thread once its last answer is in (untimed warm-ups and top-ups).
-- Every answer outside 2xx is counted (wrk itself counts only >= 400), and done() prints one
-- "bench-thread" line per thread that gate_bench.py parses after wrk's own report.

local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]])
local CLOCK_MONOTONIC = 1
local timespec = ffi.new("bench_timespec")

local function now()
   ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
   return tonumber(timespec.tv_sec) + tonumber(timespec.tv_nsec) * 1e-9
end

-- Setup phase (wrk's main Lua state): number the threads, keep them for done().
local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("id", #threads)
end

-- Running phase (one Lua state per thread).
function init(args)
   local file, method, threads_total = args[1], args[2], tonumber(args[4])
   mode = args[3]
   requests = {}
   local i = 0
   for line in io.lines(file) do
      i = i + 1
      if (i - 1) % threads_total + 1 == id then
         local tab = line:find("\t", 1, true)
         local path, body = line, nil
         if tab then
            path = line:sub(1, tab - 1)
            body = line:sub(tab + 1)
            if body == "" then
               body = nil
            end
         end
         table.insert(requests, wrk.format(method, path, nil, body))
      end
   end
   slice_size = #requests
   if slice_size == 0 then
      error("thread " .. id .. " has no line of " .. file)
   end
   next_index, issued, answered, bad = 1, 0, 0, 0
   exhausted, first_bad = 0, ""
   started, last_answer = 0, 0
   -- wrk calls request() once on the first thread, before it runs, only to check the request
   -- (script_verify_request): that answer is never sent, so it must not spend a line.
   verifying = (id == 1)
end

function request()
   if verifying then
      verifying = false
      return requests[1]
   end
   if next_index > #requests then
      if mode == "cycle" then
         next_index = 1
      else
         -- Nothing is sent on this connection any more; the thread stops at its last answer.
         exhausted = 1
         return ""
      end
   end
   if issued == 0 then
      started = now()
   end
   local r = requests[next_index]
   next_index = next_index + 1
   issued = issued + 1
   return r
end

function response(status, headers, body)
   answered = answered + 1
   last_answer = now()
   if status < 200 or status > 299 then
      bad = bad + 1
      if first_bad == "" then
         first_bad = status .. " " .. string.sub(body or "", 1, 300):gsub("[\t\r\n]", " ")
      end
   end
   if mode ~= "cycle" and next_index > #requests and answered == issued then
      wrk.thread:stop()
   end
end

function done(summary, latency, requests_stats)
   for _, thread in ipairs(threads) do
      print(string.format(
         "bench-thread\t%d\t%d\t%d\t%d\t%d\t%d\t%.6f\t%s",
         thread:get("id"),
         thread:get("slice_size"),
         thread:get("issued"),
         thread:get("answered"),
         thread:get("bad"),
         thread:get("exhausted"),
         thread:get("last_answer") - thread:get("started"),
         thread:get("first_bad")
      ))
   end
end
