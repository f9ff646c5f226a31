# Speech: voices, synthesis to WAV and JSON timing, history round trip. Sourced by test-api.sh.
echo "— speech"
req GET /api/tts/voices
expect 200 "GET /api/tts/voices (built-in voice listed)" "b.defaultVoiceId==='espeak:fa' && b.voices.some(v=>v.id==='espeak:fa' && v.engine==='espeak')"
STATUS=$(curl -s -o "$TMP/tts.wav" -w '%{http_code}' -X POST "$BASE_URL/api/tts" -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' --data '{"text":"سلام! امروز ۲۵ درجه است و هوا خوب است.","voiceId":"espeak:fa"}' 2>/dev/null || echo 000)
WAV_BYTES=$(wc -c < "$TMP/tts.wav" 2>/dev/null || echo 0)
if [ "$STATUS" = 200 ] && [ "$(head -c 4 "$TMP/tts.wav")" = RIFF ] && [ "$WAV_BYTES" -gt 44100 ]; then
  ok "POST /api/tts → audio/wav ($WAV_BYTES bytes)"; else bad "POST /api/tts → WAV (HTTP $STATUS, $WAV_BYTES bytes)"; fi
req POST /api/tts '{"text":"کتاب‌ها را خواندم. فردا می‌آیم.","voiceId":"espeak:fa","format":"json"}'
expect 200 "POST /api/tts format json (timing)" "b.sampleRate===22050 && b.durationSeconds>0.5 && b.sentences.length===2 && b.sentences[1].startSeconds>0"
CLIP=$(j b.clipId)
req POST /api/tts/history "{\"clipId\":\"$CLIP\"}"
expect 201 "POST /api/tts/history (keep the clip)" "b.engine==='espeak' && b.audioUrl==='/api/tts/history/'+b.id+'/audio'"
HID=$(j b.id)
req GET /api/tts/history
expect 200 "GET /api/tts/history" "b.total===1 && b.items[0].id==='$HID'"
STATUS=$(curl -s -o "$TMP/hist.wav" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$BASE_URL/api/tts/history/$HID/audio" 2>/dev/null || echo 000)
if [ "$STATUS" = 200 ] && [ "$(head -c 4 "$TMP/hist.wav")" = RIFF ]; then ok "GET /api/tts/history/:id/audio"; else bad "GET /api/tts/history/:id/audio (HTTP $STATUS)"; fi
req POST /api/tts '{"text":"   ","voiceId":"espeak:fa"}'
expect 400 "POST /api/tts empty text → 400" "b.error.code==='EMPTY_TEXT'"
req POST /api/tts '{"text":"سلام","voiceId":"piper:nope"}'
expect 404 "POST /api/tts unknown voice → 404" "b.error.code==='UNKNOWN_VOICE'"
req DELETE "/api/tts/history/$HID"
if [ "$STATUS" = 204 ]; then ok "DELETE /api/tts/history/:id → 204"; else bad "DELETE /api/tts/history/:id (HTTP $STATUS)"; fi
req GET "/api/tts/history/$HID/audio"
expect 404 "deleted clip → 404" "b.error.code==='NOT_FOUND'"
