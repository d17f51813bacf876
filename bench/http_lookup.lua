-- wrk script of bench/http.sh: member lookup by card token, rotating over the real tokens.
--   wrk ... -s bench/http_lookup.lua URL -- TOKENS_FILE PATH_PREFIX API_KEY
-- PATH_PREFIX is /api/v1/members/ (loyalty) or /card/ (the baseline); each wrk thread starts
-- at a different place in the token list.

local threads = 0
function setup(thread)
   thread:set("id", threads)
   threads = threads + 1
end

local tokens, prefix, headers, i

function init(args)
   local file, err = io.open(args[1], "r")
   if not file then error("cannot read tokens: " .. tostring(err)) end
   tokens = {}
   for line in file:lines() do
      if #line > 0 then tokens[#tokens + 1] = line end
   end
   file:close()
   if #tokens == 0 then error("no tokens in " .. args[1]) end
   prefix = args[2]
   headers = { ["Authorization"] = "Bearer " .. args[3] }
   i = ((id or 0) * 257) % #tokens
end

function request()
   i = i % #tokens + 1
   return wrk.format("GET", prefix .. tokens[i], headers, nil)
end
