#!/bin/sh
# azd postdeploy hook (POSIX sh). Reads the outputs of bicep/main.bicep from the azd environment:
#   mock mode  → create the Event Grid subscription that feeds the Flex app's blob trigger
#                (EventGrid source), filtered to top-level uploads in the audio container;
#   model mode → remove that subscription (the GPU app polls the container itself), build the
#                GPU image from ./Dockerfile in the registry and roll it out to the GPU app.
# The subscription is made here, not in Bicep, because its webhook URL carries the host's
# blobs_extension system key, which exists only once the code runs (as in the azd quickstarts).
set -eu

for cmd in az; do
  if ! command -v "$cmd" >/dev/null 2>&1; then
    echo "postdeploy: '$cmd' is required (see docs/deploy.md, Prerequisites)" >&2
    exit 1
  fi
done

: "${RESOURCE_GROUP:?run through azd (azd up / azd deploy)}"
: "${AZURE_FUNCTION_APP_NAME:?missing output AZURE_FUNCTION_APP_NAME}"
: "${SERVICE_API_BASE_URL:?missing output SERVICE_API_BASE_URL}"
: "${EVENT_GRID_SYSTEM_TOPIC_NAME:?missing output EVENT_GRID_SYSTEM_TOPIC_NAME}"
AUDIO_CONTAINER_NAME="${AUDIO_CONTAINER_NAME:-audio-files}"
GPU_ENABLED="${GPU_ENABLED:-false}"
SUBSCRIPTION_NAME="stemflow-uploads"

if [ "$GPU_ENABLED" != "true" ]; then
  # The blobs_extension key appears once the host has started with the Event Grid blob trigger.
  key=""
  attempt=1
  while [ "$attempt" -le 12 ]; do
    key=$(az functionapp keys list -n "$AZURE_FUNCTION_APP_NAME" -g "$RESOURCE_GROUP" --query "systemKeys.blobs_extension" -o tsv 2>/dev/null || true)
    [ -n "$key" ] && break
    echo "postdeploy: waiting for the blobs_extension key (attempt $attempt/12)"
    sleep 10
    attempt=$((attempt + 1))
  done
  if [ -z "$key" ]; then
    echo "postdeploy: no blobs_extension system key on $AZURE_FUNCTION_APP_NAME; is onBlobUploaded deployed with STEMFLOW_BLOB_TRIGGER_SOURCE=EventGrid?" >&2
    exit 1
  fi
  endpoint="${SERVICE_API_BASE_URL}/runtime/webhooks/blobs?functionName=Host.Functions.onBlobUploaded&code=${key}"
  # Subject filter: this container only. Advanced filter: never the app's own outputs
  # ({id}/stems, analysis, generated, work); any other nested name is skipped by the handler.
  az eventgrid system-topic event-subscription create \
    --name "$SUBSCRIPTION_NAME" \
    --resource-group "$RESOURCE_GROUP" \
    --system-topic-name "$EVENT_GRID_SYSTEM_TOPIC_NAME" \
    --endpoint-type webhook \
    --endpoint "$endpoint" \
    --included-event-types Microsoft.Storage.BlobCreated \
    --subject-begins-with "/blobServices/default/containers/${AUDIO_CONTAINER_NAME}/blobs/" \
    --advanced-filter subject StringNotContains /stems/ /analysis/ /generated/ /work/ \
    --max-delivery-attempts 30 \
    --event-ttl 1440 \
    --output none
  echo "postdeploy: Event Grid subscription $SUBSCRIPTION_NAME → onBlobUploaded (top-level uploads in $AUDIO_CONTAINER_NAME)"
else
  az eventgrid system-topic event-subscription delete \
    --name "$SUBSCRIPTION_NAME" --resource-group "$RESOURCE_GROUP" \
    --system-topic-name "$EVENT_GRID_SYSTEM_TOPIC_NAME" --yes --output none 2>/dev/null || true

  : "${AZURE_CONTAINER_REGISTRY_NAME:?missing output AZURE_CONTAINER_REGISTRY_NAME}"
  : "${AZURE_CONTAINER_REGISTRY_ENDPOINT:?missing output AZURE_CONTAINER_REGISTRY_ENDPOINT}"
  : "${GPU_APP_NAME:?missing output GPU_APP_NAME}"
  if [ ! -d models/weights ]; then
    echo "postdeploy: warning: models/weights is missing; the GPU image will carry no weights (npm run models:fetch, see models/README.md)" >&2
  fi
  tag="$(date -u +%Y%m%d%H%M%S)"
  image="${AZURE_CONTAINER_REGISTRY_ENDPOINT}/stemflow-gpu:${tag}"
  az acr build --registry "$AZURE_CONTAINER_REGISTRY_NAME" --image "stemflow-gpu:${tag}" --file Dockerfile .
  az containerapp update --name "$GPU_APP_NAME" --resource-group "$RESOURCE_GROUP" --image "$image" --output none
  echo "postdeploy: GPU app $GPU_APP_NAME now runs $image"
fi

echo "postdeploy: API base URL  ${SERVICE_API_BASE_URL}"
if [ -n "${GPU_APP_BASE_URL:-}" ]; then echo "postdeploy: GPU base URL  ${GPU_APP_BASE_URL}"; fi
echo "postdeploy: function key  az functionapp keys list -n $AZURE_FUNCTION_APP_NAME -g $RESOURCE_GROUP --query functionKeys.default -o tsv"
