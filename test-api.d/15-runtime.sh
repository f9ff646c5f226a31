# Running installed Hub models (transformers.js): install one that runs and one that does not, run it, read the reasons.
# Against the project's mirror (verify.sh starts it with --fixtures); on the real Hub set RUN_REPO (a text-classification
# repository with onnx/ files) and TORCH_REPO (one with PyTorch weights only).
RUN_REPO="${RUN_REPO:-sokhan-lab/bert-fa-tiny-sentiment}"
TORCH_REPO="${TORCH_REPO:-sokhan-lab/bert-fa-pytorch-only}"
echo "— running installed models ($RUN_REPO)"
req GET "/api/sources/search?runsHere=true&limit=100"
expect 200 "GET /api/sources/search?runsHere=true" "b.items.length>0 && b.items.every(i=>i.tags.includes('onnx')||i.libraryName==='onnx')"
install_model() { # install REPO → prints the installed model id once its download completes
  req POST /api/sources/download "{\"repoId\":\"$1\"}"
  local id; id=$(j b.id)
  for _ in $(seq 1 120); do
    req GET "/api/sources/download/$id"
    [ "$(j b.status)" = completed ] || [ "$(j b.status)" = failed ] && break
    sleep 0.25
  done
  j b.modelId
}
RUN_MODEL=$(install_model "$RUN_REPO")
req GET "/api/sources/installed/$RUN_MODEL"
expect 200 "an installed ONNX classifier runs here" "b.runtime.status==='runnable' && b.runtime.pipelines.includes('text-classification')"
req POST "/api/models/$RUN_MODEL/run" '{"pipeline":"text-classification","inputs":"این فیلم خیلی عالی بود"}'
expect 200 "POST /api/models/:id/run (text-classification)" "Math.abs(b.results[0].labels.reduce((s,l)=>s+l.score,0)-1)<1e-4"
echo "    $(j "b.results[0].labels.map(l=>l.label+' '+l.score.toFixed(3)).join(', ')")"
req POST "/api/models/$RUN_MODEL/run" '{"pipeline":"fill-mask","inputs":"این [MASK] است"}'
expect 422 "POST /api/models/:id/run with a pipeline it does not run → 422" "b.error.code==='PIPELINE_NOT_SUPPORTED'"
TORCH_MODEL=$(install_model "$TORCH_REPO")
req GET "/api/sources/installed/$TORCH_MODEL"
expect 200 "PyTorch weights only: the reason is shown" "b.runtime.status==='unsupported' && b.runtime.reasonCode==='pytorch-only'"
req POST "/api/models/$TORCH_MODEL/run" '{"pipeline":"text-classification","inputs":"سلام"}'
expect 422 "POST /api/models/:id/run on it → 422 MODEL_NOT_RUNNABLE" "b.error.code==='MODEL_NOT_RUNNABLE'"
