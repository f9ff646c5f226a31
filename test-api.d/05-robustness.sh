# The server survives hostile or unlucky single requests. Sourced by test-api.sh (req/expect/j/ok/bad).
echo "— robustness"
# Socket.IO's long-polling transport with a POST answered while the long-poll is parked: once, this crashed the process.
SID=$(curl -s "$BASE_URL/socket.io/?EIO=4&transport=polling" | sed -E 's/.*"sid":"([^"]+)".*/\1/')
if [ -n "$SID" ]; then ok "socket.io polling handshake"; else bad "socket.io polling handshake"; fi
curl -s -o "$TMP/longpoll" "$BASE_URL/socket.io/?EIO=4&transport=polling&sid=$SID" &
LP=$!
# The POST is only answered once the server holds the session; the long-poll then receives the namespace's reply.
PSTATUS=$(curl -s -o /dev/null -w '%{http_code}' -XPOST "$BASE_URL/socket.io/?EIO=4&transport=polling&sid=$SID" --data '40')
wait "$LP"
if [ "$PSTATUS" = 200 ] && grep -q '^44{"message":"UNAUTHENTICATED"}$' "$TMP/longpoll"; then ok "long-poll + POST: engine.io alone answers (44 UNAUTHENTICATED)"; else bad "long-poll + POST (POST $PSTATUS, long-poll: $(head -c 200 "$TMP/longpoll"))"; fi
req GET /api/health;                      expect 200 "the server still answers after the polling sequence" "b.status==='ok'"
SAVED=$TOKEN; TOKEN=""
req POST /api/auth/login '{"login":"alice\u0000","password":"x"}'
expect 400 "login with a NUL → 400 naming the field" "b.error.code==='VALIDATION_FAILED' && b.error.details[0].path==='login'"
TOKEN=$SAVED
req GET "/api/models/00000000-0000-4000-8000-000000000000/files/%c0%ae%c0%ae%c0%af.env"
expect 400 "an undecodable %-escape in a path → 400, no stack" "b.error.code==='VALIDATION_FAILED' && !JSON.stringify(b).includes('/')"
req GET "/assets/%00"
expect 400 "GET /assets/%00 → 400 JSON" "b.error.code==='VALIDATION_FAILED'"
