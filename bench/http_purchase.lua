-- wrk script of bench/http.sh: durable purchase recording, one purchase per request.
--   wrk ... -s bench/http_purchase.lua URL -- TOKENS_FILE PATH API_KEY RUN_ID
-- PATH is /api/v1/purchases (loyalty) or /purchase (the baseline). Each request goes to a
-- random member (by card token) with a coffee line (1-2 x KOPI) and, half the time, a pastry
-- line (CROISSANT), location BSR, and a unique Idempotency-Key (RUN_ID, thread, counter).

local threads = 0
function setup(thread)
   thread:set("id", threads)
   threads = threads + 1
end

local tokens, path, key, run, n

function init(args)
   local file, err = io.open(args[1], "r")
   if not file then error("cannot read tokens: " .. tostring(err)) end
   tokens = {}
   for line in file:lines() do
      if #line > 0 then tokens[#tokens + 1] = line end
   end
   file:close()
   if #tokens == 0 then error("no tokens in " .. args[1]) end
   path = args[2]
   key = "Bearer " .. args[3]
   run = args[4] or tostring(os.time())
   n = 0
   math.randomseed(os.time() + 7919 * ((id or 0) + 1))
end

function request()
   n = n + 1
   local member = tokens[math.random(#tokens)]
   local cq = math.random(1, 2)
   local ca = cq * math.random(600, 1400)
   local items = string.format(
      '{"sku":"KOPI","category":"coffee","qty":%d,"amount":%d}', cq, ca)
   local amount = ca
   if math.random(0, 1) == 1 then
      local pa = math.random(450, 900)
      items = items .. string.format(
         ',{"sku":"CROISSANT","category":"pastry","qty":1,"amount":%d}', pa)
      amount = amount + pa
   end
   local body = string.format(
      '{"member":"%s","amount":%d,"currency":"MYR","location":"BSR","items":[%s]}',
      member, amount, items)
   local headers = {
      ["Authorization"] = key,
      ["Content-Type"] = "application/json",
      ["Idempotency-Key"] = string.format("bench-%s-%d-%d", run, id or 0, n),
   }
   return wrk.format("POST", path, headers, body)
end
