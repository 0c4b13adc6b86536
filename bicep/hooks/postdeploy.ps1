# azd postdeploy hook (PowerShell): the same steps as postdeploy.sh.
#   mock mode  → create the Event Grid subscription that feeds the Flex app's blob trigger,
#                filtered to top-level uploads in the audio container;
#   model mode → remove that subscription, build the GPU image from ./Dockerfile in the
#                registry and roll it out to the GPU container app.
$ErrorActionPreference = 'Stop'

if (-not (Get-Command az -ErrorAction SilentlyContinue)) {
  Write-Error "postdeploy: 'az' is required (see docs/deploy.md, Prerequisites)"
  exit 1
}
foreach ($name in 'RESOURCE_GROUP', 'AZURE_FUNCTION_APP_NAME', 'SERVICE_API_BASE_URL', 'EVENT_GRID_SYSTEM_TOPIC_NAME') {
  if (-not (Get-Item "env:$name" -ErrorAction SilentlyContinue)) {
    Write-Error "postdeploy: $name is not set; run through azd (azd up / azd deploy)"
    exit 1
  }
}
$container = if ($env:AUDIO_CONTAINER_NAME) { $env:AUDIO_CONTAINER_NAME } else { 'audio-files' }
$subscriptionName = 'stemflow-uploads'

if ($env:GPU_ENABLED -ne 'true') {
  $key = ''
  for ($attempt = 1; $attempt -le 12; $attempt++) {
    $key = az functionapp keys list -n $env:AZURE_FUNCTION_APP_NAME -g $env:RESOURCE_GROUP --query 'systemKeys.blobs_extension' -o tsv 2>$null
    if ($key) { break }
    Write-Host "postdeploy: waiting for the blobs_extension key (attempt $attempt/12)"
    Start-Sleep -Seconds 10
  }
  if (-not $key) {
    Write-Error "postdeploy: no blobs_extension system key on $($env:AZURE_FUNCTION_APP_NAME); is onBlobUploaded deployed with STEMFLOW_BLOB_TRIGGER_SOURCE=EventGrid?"
    exit 1
  }
  $endpoint = "$($env:SERVICE_API_BASE_URL)/runtime/webhooks/blobs?functionName=Host.Functions.onBlobUploaded&code=$key"
  # Subject filter: this container only. Advanced filter: never the app's own outputs
  # ({id}/stems, analysis, generated, work); any other nested name is skipped by the handler.
  az eventgrid system-topic event-subscription create `
    --name $subscriptionName `
    --resource-group $env:RESOURCE_GROUP `
    --system-topic-name $env:EVENT_GRID_SYSTEM_TOPIC_NAME `
    --endpoint-type webhook `
    --endpoint $endpoint `
    --included-event-types Microsoft.Storage.BlobCreated `
    --subject-begins-with "/blobServices/default/containers/$container/blobs/" `
    --advanced-filter subject StringNotContains /stems/ /analysis/ /generated/ /work/ `
    --max-delivery-attempts 30 `
    --event-ttl 1440 `
    --output none
  if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
  Write-Host "postdeploy: Event Grid subscription $subscriptionName -> onBlobUploaded (top-level uploads in $container)"
}
else {
  az eventgrid system-topic event-subscription delete --name $subscriptionName --resource-group $env:RESOURCE_GROUP `
    --system-topic-name $env:EVENT_GRID_SYSTEM_TOPIC_NAME --yes --output none 2>$null
  foreach ($name in 'AZURE_CONTAINER_REGISTRY_NAME', 'AZURE_CONTAINER_REGISTRY_ENDPOINT', 'GPU_APP_NAME') {
    if (-not (Get-Item "env:$name" -ErrorAction SilentlyContinue)) { Write-Error "postdeploy: missing output $name"; exit 1 }
  }
  if (-not (Test-Path 'models/weights')) {
    Write-Warning 'postdeploy: models/weights is missing; the GPU image will carry no weights (npm run models:fetch, see models/README.md)'
  }
  $tag = (Get-Date).ToUniversalTime().ToString('yyyyMMddHHmmss')
  $image = "$($env:AZURE_CONTAINER_REGISTRY_ENDPOINT)/stemflow-gpu:$tag"
  az acr build --registry $env:AZURE_CONTAINER_REGISTRY_NAME --image "stemflow-gpu:$tag" --file Dockerfile .
  if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
  az containerapp update --name $env:GPU_APP_NAME --resource-group $env:RESOURCE_GROUP --image $image --output none
  if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
  Write-Host "postdeploy: GPU app $($env:GPU_APP_NAME) now runs $image"
}

Write-Host "postdeploy: API base URL  $($env:SERVICE_API_BASE_URL)"
if ($env:GPU_APP_BASE_URL) { Write-Host "postdeploy: GPU base URL  $($env:GPU_APP_BASE_URL)" }
Write-Host "postdeploy: function key  az functionapp keys list -n $($env:AZURE_FUNCTION_APP_NAME) -g $($env:RESOURCE_GROUP) --query functionKeys.default -o tsv"
