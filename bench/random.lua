-- wrk script: each request asks for a random alias out of LINKS (default
-- 100000), with a browser User-Agent as real visitors send.
local links = tonumber(os.getenv("LINKS") or "100000")
wrk.headers["User-Agent"] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
wrk.headers["Accept-Language"] = "en-US,en;q=0.9"
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/l" .. math.random(0, links - 1))
end
