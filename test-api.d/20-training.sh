# Datasets and training: upload, train with live progress, pause, resume, checkpoints, cancel, model files, predict.
# Sourced by test-api.sh (req/expect/j/ok/bad).
echo "— datasets and training"
node -e '
const S=["این فیلم","این کتاب","غذای این رستوران","خدمات پشتیبانی","این گوشی","اتاق هتل","کیفیت صدا","رفتار کارکنان"];
const P=["عالی بود","خیلی خوب است","فوق‌العاده بود","را دوست داشتم","بی‌نظیر است","ارزش خرید دارد"];
const N=["افتضاح بود","خیلی بد است","ناامیدکننده بود","را دوست نداشتم","اصلاً خوب نیست","ارزش خرید ندارد"];
const O=["","واقعاً","به نظر من","راستش","در کل"];
let a=7; const r=()=>((a=(a*1103515245+12345)>>>0)/4294967296);
const p=(l)=>l[Math.floor(r()*l.length)];
const rows=["text,label"];
for(let i=0;i<300;i++){const pos=i%2===0; rows.push([p(O),p(S),p(pos?P:N)].filter(Boolean).join(" ")+","+(pos?"مثبت":"منفی"));}
process.stdout.write(rows.join("\n")+"\n");' > "$TMP/reviews.csv"
STATUS=$(curl -s -o "$TMP/body" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -F "name=نظرات curl" -F "file=@$TMP/reviews.csv;type=text/csv" "$BASE_URL/api/datasets" 2>/dev/null || echo 000)
expect 201 "POST /api/datasets (multipart CSV, streamed)" "b.recordCount===300 && b.labelColumn==='label' && b.textColumn==='text' && b.type==='text-classification' && b.classCounts.length===2"
DATASET=$(j b.id)
req GET "/api/datasets/$DATASET/rows?offset=10&limit=5"; expect 200 "GET /api/datasets/:id/rows" "b.rows.length===5 && b.total===300"
SENTIMENT="\"datasetId\":\"$DATASET\",\"task\":\"text-classification\",\"textColumn\":\"text\",\"labelColumn\":\"label\",\"layers\":[{\"type\":\"dense\",\"units\":32,\"activation\":\"relu\"},{\"type\":\"dropout\",\"rate\":0.2}],\"optimizer\":\"adam\",\"learningRate\":0.01,\"validationSplit\":0.2,\"seed\":7,\"textFeatures\":{\"buckets\":1024}"
req POST /api/training "{$SENTIMENT,\"epochs\":300,\"batchSize\":8}"
expect 201 "POST /api/training" "b.status==='queued'||b.status==='running'"
JOB=$(j b.id)
wait_job() { local i; for i in $(seq 1 $(($2 * 5))); do req GET "/api/training/$JOB"; [ "$(j "$1")" = "true" ] && return 0; sleep 0.2; done; return 1; }
wait_job "b.status==='running' && b.checkpoints.length>=1" 240
expect 200 "GET /api/training/:id: running, progress, metric history, a checkpoint" "b.progress>0 && b.metrics.history.length>=1 && !!b.metrics.backend"
req POST "/api/training/$JOB/pause"; expect 200 "POST /api/training/:id/pause" "b.status==='pausing'||b.status==='paused'"
wait_job "b.status==='paused'" 30; expect 200 "paused after the current batch, at a checkpoint" "b.status==='paused' && b.checkpoints.length>=1"
EPOCH=$(j "b.checkpoints.at(-1).epoch")
req POST "/api/training/$JOB/resume"; expect 200 "POST /api/training/:id/resume" "b.status==='queued'||b.status==='running'"
wait_job "b.checkpoints.at(-1).epoch>$EPOCH" 240
expect 200 "resumed at the next epoch (numbering continues)" "b.checkpoints.some(c=>c.epoch===$EPOCH+1) && b.metrics.history.every((h,i)=>h.epoch===i+1)"
req GET "/api/training/$JOB/checkpoints"; expect 200 "GET /api/training/:id/checkpoints (best marked)" "b.items.length>$EPOCH && b.items.filter(c=>c.best).length===1"
req DELETE "/api/training/$JOB"; expect 200 "DELETE /api/training/:id cancels (checkpoints kept)" "b.status==='cancelled' && b.checkpoints.length>$EPOCH"
req POST /api/training "{$SENTIMENT,\"epochs\":5,\"batchSize\":16}"; JOB=$(j b.id)
wait_job "b.status==='completed'||b.status==='failed'" 300
expect 200 "a short job completes with held-out accuracy" "b.status==='completed' && b.metrics.final.valAccuracy>0.8 && b.model.status==='ready'"
echo "    validation accuracy $(j b.metrics.final.valAccuracy) on backend $(j b.metrics.backend)"
MODEL=$(j b.modelId)
req GET "/api/models/$MODEL/files/model.json"; expect 200 "GET /api/models/:id/files/model.json" "b.weightsManifest[0].paths[0]==='weights.bin'"
STATUS=$(curl -s -o "$TMP/weights.bin" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$BASE_URL/api/models/$MODEL/files/weights.bin" 2>/dev/null || echo 000)
if [ "$STATUS" = 200 ] && [ -s "$TMP/weights.bin" ]; then ok "GET /api/models/:id/files/weights.bin ($(wc -c < "$TMP/weights.bin") bytes)"; else bad "GET /api/models/:id/files/weights.bin (HTTP $STATUS)"; fi
req POST "/api/models/$MODEL/predict" '{"inputs":[{"text":"این فیلم واقعاً عالی بود"},{"text":"غذای این رستوران افتضاح بود"}]}'
expect 200 "POST /api/models/:id/predict" "b.predictions[0].label==='مثبت' && b.predictions[1].label==='منفی'"
req GET "/api/training?status=completed,cancelled"; expect 200 "GET /api/training?status=…" "b.total===2"
req DELETE "/api/datasets/$DATASET"; expect 204 "DELETE /api/datasets/:id once no job is active" "b===null"
