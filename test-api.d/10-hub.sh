# Hub search, details, download with progress, cancel, installed. Sourced by test-api.sh (req/expect/j/ok/bad).
# Against the project's mirror (verify.sh starts one with --fixtures --big-mb 64); on the real Hub set HUB_REPO and HUB_BIG_REPO.
HUB_REPO="${HUB_REPO:-sokhan-lab/piper-fa-amir-medium}"
HUB_BIG_REPO="${HUB_BIG_REPO:-sokhan-lab/fa-tts-large}"
echo "— Hugging Face Hub ($HUB_REPO)"
req GET "/api/sources/search?q=fa&limit=5"
expect 200 "GET /api/sources/search?q=fa" "Array.isArray(b.items) && b.items.length>0 && b.items.every(i=>typeof i.id==='string' && typeof i.downloads==='number')"
echo "    $(j "b.items.length+' results, first: '+b.items[0].id")"
req GET "/api/sources/search?task=text-to-speech&sort=downloads&limit=50"
expect 200 "GET /api/sources/search?task=text-to-speech" "b.items.length>0 && b.items.every(i=>i.pipelineTag==='text-to-speech')"
req GET "/api/sources/model/$HUB_REPO"
expect 200 "GET /api/sources/model/$HUB_REPO" "b.id==='$HUB_REPO' && b.files.length>0 && b.totalSize>0"
ENC=$(node -e "process.stdout.write(encodeURIComponent('$HUB_REPO'))")
req GET "/api/sources/model/$ENC"
expect 200 "GET /api/sources/model/<percent-encoded id>" "b.id==='$HUB_REPO'"
req GET "/api/sources/model/nobody-here/missing-model"
expect 404 "GET /api/sources/model/<missing> → 404 REPO_NOT_FOUND" "b.error.code==='REPO_NOT_FOUND'"
req POST /api/sources/validate-token '{"token":"hf_definitelyNotAValidToken000"}'
expect 200 "POST /api/sources/validate-token (invalid token)" "b.valid===false"

req POST /api/sources/download "{\"repoId\":\"$HUB_REPO\"}"
expect 202 "POST /api/sources/download" "b.repoId==='$HUB_REPO' && ['queued','running','completed'].includes(b.status)"
DL=$(j b.id)
last=-1; seen=0
for _ in $(seq 1 120); do
  req GET "/api/sources/download/$DL"
  st=$(j b.status); pr=$(j b.progress)
  [ "$pr" != "$last" ] && { seen=$((seen + 1)); last=$pr; echo "    progress $pr% ($st, $(j "b.bytesDownloaded+'/'+b.bytesTotal") bytes)"; }
  [ "$st" = completed ] || [ "$st" = failed ] && break
  sleep 0.25
done
expect 200 "download completes with every byte" "b.status==='completed' && b.progress===100 && b.bytesDownloaded===b.bytesTotal && b.bytesTotal>0"
req GET /api/sources/downloads
expect 200 "GET /api/sources/downloads (mine, newest first)" "b.items.some(d=>d.id==='$DL') && b.total>=1"
req GET /api/sources/installed
expect 200 "GET /api/sources/installed lists it with files on disk" "b.items.some(m=>m.repoId==='$HUB_REPO' && m.status==='ready' && m.fileCount>0 && m.sizeBytes>0)"
MODEL=$(j "b.items.find(m=>m.repoId==='$HUB_REPO').id")
CAN_DELETE=$(j "b.items.find(m=>m.repoId==='$HUB_REPO').canDelete")

req POST /api/sources/download "{\"repoId\":\"$HUB_BIG_REPO\"}"
expect 202 "POST /api/sources/download ($HUB_BIG_REPO)" "['queued','running'].includes(b.status)"
BIG=$(j b.id)
req POST /api/sources/download "{\"repoId\":\"$HUB_BIG_REPO\"}"
expect 200 "a second request for the same repo shares the transfer" "b.id==='$BIG'"
req DELETE "/api/sources/download/$BIG"
expect 200 "DELETE /api/sources/download/:id cancels" "b.status==='cancelled'"
req DELETE "/api/sources/download/$BIG"
expect 200 "cancel again is idempotent" "b.status==='cancelled'"
req GET /api/sources/download/00000000-0000-4000-8000-000000000000
expect 404 "GET /api/sources/download/<unknown id> → 404" "b.error.code==='NOT_FOUND'"
if [ "$CAN_DELETE" = true ]; then
  req DELETE "/api/sources/installed/$MODEL"
  expect 204 "DELETE /api/sources/installed/:modelId removes files and row" "b===null"
  req GET /api/sources/installed
  expect 200 "the model is no longer installed" "!b.items.some(m=>m.id==='$MODEL')"
elif [ -n "$MODEL" ]; then
  # Someone else installed it first (the download was shared): only they or an admin may delete it.
  req DELETE "/api/sources/installed/$MODEL"
  expect 403 "DELETE /api/sources/installed/:modelId by a non-installer → 403" "b.error.code==='FORBIDDEN'"
fi
