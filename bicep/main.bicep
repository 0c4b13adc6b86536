// stemflow on Azure: one resource group with storage (no shared keys), a Flex Consumption
// function app (mock/DSP mode, Event Grid blob source), Application Insights, a user-assigned
// identity with data-plane roles, the Durable backend of choice, a Key Vault for the callback
// secret and, in model mode, a Functions container app on a serverless GPU workload profile.
// Layout and conventions follow the azd Functions quickstarts (functions-quickstart-typescript-azd
// and its Event Grid blob variant); resources are declared directly (no registry modules) so
// that `azd provision` and the offline checks in test/deploy/ need nothing downloaded.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; seeds every resource name and the azd-env-name tag.')
param environmentName string

@minLength(1)
@description('Region of every resource. Flex Consumption and serverless GPUs are not in every region (see docs/deploy.md).')
@metadata({ azd: { type: 'location' } })
param location string

@allowed([ 'mock', 'model' ])
@description('mock: the Flex Consumption app only (DSP separation, procedural generation). model: also a GPU container app with STEMFLOW_MODE=model that owns uploads and queues.')
param mode string = 'mock'

@allowed([ 'Consumption-GPU-NC8as-T4', 'Consumption-GPU-NC24-A100' ])
@description('Serverless GPU workload profile of the model-mode container app.')
param gpuProfile string = 'Consumption-GPU-NC8as-T4'

@minValue(1)
@maxValue(1000)
@description('Maximum instances of the Flex Consumption app.')
param maximumInstanceCount int = 40

@minValue(1)
@maxValue(50)
@description('Maximum replicas of the GPU container app (GPU quota is per subscription and region).')
param gpuMaximumReplicas int = 1

@allowed([ 'AzureStorage', 'DurableTaskScheduler' ])
@description('Durable Functions backend: the storage account (queues + tables), or a Durable Task Scheduler (Consumption SKU).')
param durableBackend string = 'AzureStorage'

@description('Comma list of host names the callback_url of a request may point at (STEMFLOW_CALLBACK_ALLOWED_HOSTS). Empty rejects every callback_url.')
param callbackAllowedHosts string = ''

@description('Callback for analyses started by a plain upload (STEMFLOW_UPLOAD_CALLBACK_URL). Empty = none.')
param uploadCallbackUrl string = ''

@secure()
@description('HMAC secret of the callbacks. main.parameters.json lets azd generate it once and keep it in the azd environment; it is stored in Key Vault and referenced from the apps.')
param callbackSecret string

@description('Object id of the deploying user (azd sets AZURE_PRINCIPAL_ID): gets blob upload and Key Vault read rights for testing. Empty = none.')
param principalId string = ''

@description('Object id of the .NET API identity that reads the callback secret and function key from Key Vault. Empty = none.')
param apiPrincipalId string = ''

@description('Extra tags on every resource.')
param tags object = {}

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var allTags = union(tags, { 'azd-env-name': environmentName })
var containerName = 'audio-files'
var flexTaskHub = 'stemflow'
var gpuTaskHub = 'stemflowgpu'
var gpuEnabled = mode == 'model'
var useScheduler = durableBackend == 'DurableTaskScheduler'
var functionAppName = 'func-${resourceToken}'
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(resourceToken, 7)}'
var callbackSecretName = 'stemflow-callback-secret'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: allTags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-stemflow-${resourceToken}'
    location: location
    tags: allTags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: allTags
    audioContainerName: containerName
    deploymentContainerName: deploymentContainerName
    queueNames: [ 'analysis-requests', 'generation-requests', 'job-events' ]
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: allTags
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: allTags
    callbackSecretName: callbackSecretName
    callbackSecret: callbackSecret
  }
}

module scheduler 'modules/durable-scheduler.bicep' = if (useScheduler) {
  name: 'durable-scheduler'
  scope: rg
  params: {
    name: 'dts-${resourceToken}'
    location: location
    tags: allTags
    taskHubNames: gpuEnabled ? [ flexTaskHub, gpuTaskHub ] : [ flexTaskHub ]
  }
}

module rbac 'modules/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    keyVaultName: keyVault.outputs.name
    schedulerName: useScheduler ? scheduler.outputs.name : ''
    identityPrincipalId: identity.outputs.principalId
    userPrincipalId: principalId
    apiPrincipalId: apiPrincipalId
  }
}

module eventGrid 'modules/eventgrid.bicep' = {
  name: 'eventgrid'
  scope: rg
  params: {
    name: 'evgt-${resourceToken}'
    location: location
    tags: allTags
    storageAccountId: storage.outputs.id
  }
}

// ---- App settings: every name the code reads (shared/config.ts CONFIG_SETTING_NAMES) is set here
// ---- or deliberately left to its default; bicep/app-settings.json records which, and why, and
// ---- test/deploy/bicep.test.ts holds the two in agreement.

var storageIdentitySettings = {
  AzureWebJobsStorage__blobServiceUri: storage.outputs.blobEndpoint
  AzureWebJobsStorage__queueServiceUri: storage.outputs.queueEndpoint
  AzureWebJobsStorage__tableServiceUri: storage.outputs.tableEndpoint
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.outputs.clientId
}

var schedulerSettings = useScheduler ? {
  DURABLE_TASK_SCHEDULER_CONNECTION_STRING: 'Endpoint=${scheduler.outputs.endpoint};Authentication=ManagedIdentity;ClientID=${identity.outputs.clientId}'
  AzureFunctionsJobHost__extensions__durableTask__storageProvider__type: 'azureManaged'
  AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName: 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING'
} : {}

var commonAppSettings = union(storageIdentitySettings, schedulerSettings, {
  APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.connectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.outputs.clientId};Authorization=AAD'
  STEMFLOW_CONTAINER: containerName
  STEMFLOW_CALLBACK_SECRET: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.callbackSecretUri})'
  STEMFLOW_CALLBACK_ALLOWED_HOSTS: callbackAllowedHosts
  STEMFLOW_UPLOAD_CALLBACK_URL: uploadCallbackUrl
  STEMFLOW_BLOB_ENDPOINT_ALIASES: ''
  STEMFLOW_QUEUE_ANALYSIS: 'analysis-requests'
  STEMFLOW_QUEUE_GENERATION: 'generation-requests'
  STEMFLOW_QUEUE_JOB_EVENTS: 'job-events'
  STEMFLOW_MAX_DURATION_SEC: '900'
  STEMFLOW_STEM_BIT_DEPTH: '16'
  // One Node worker per instance (Flex scales out by instances): keep the activity concurrency equal.
  AzureFunctionsJobHost__extensions__durableTask__maxConcurrentActivityFunctions: '1'
})

var flexAppSettings = union(commonAppSettings, {
  STEMFLOW_MODE: 'mock'
  STEMFLOW_BLOB_TRIGGER_SOURCE: 'EventGrid'
  STEMFLOW_TASK_HUB: flexTaskHub
  // In model mode the GPU app owns uploads and queue messages; this app serves HTTP only.
  STEMFLOW_QUEUES_ENABLED: gpuEnabled ? 'false' : 'true'
})

var gpuAppSettings = union(commonAppSettings, {
  STEMFLOW_MODE: 'model'
  // Functions on Container Apps: the polling blob source (no Event Grid webhook key there).
  STEMFLOW_BLOB_TRIGGER_SOURCE: 'LogsAndContainerScan'
  STEMFLOW_TASK_HUB: gpuTaskHub
  STEMFLOW_QUEUES_ENABLED: 'true'
  STEMFLOW_MODEL_DIR: '/home/site/wwwroot/models/weights'
  STEMFLOW_EXECUTION_PROVIDER: 'cuda'
})

module api 'modules/functionapp-flex.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: functionAppName
    planName: 'plan-${resourceToken}'
    location: location
    tags: union(allTags, { 'azd-service-name': 'api' })
    identityId: identity.outputs.id
    deploymentContainerUrl: '${storage.outputs.blobEndpoint}${deploymentContainerName}'
    maximumInstanceCount: maximumInstanceCount
    appSettings: flexAppSettings
  }
  dependsOn: [ rbac ]
}

module gpu 'modules/gpu-containerapp.bicep' = if (gpuEnabled) {
  name: 'gpu'
  scope: rg
  params: {
    environmentName: 'cae-${resourceToken}'
    appName: 'ca-gpu-${resourceToken}'
    registryName: 'cr${resourceToken}'
    location: location
    tags: allTags
    serviceTags: union(allTags, { 'azd-service-name': 'gpu' })
    logAnalyticsName: monitoring.outputs.logAnalyticsName
    identityId: identity.outputs.id
    gpuProfile: gpuProfile
    maximumReplicas: gpuMaximumReplicas
    appSettings: gpuAppSettings
    callbackSecretUri: keyVault.outputs.callbackSecretUri
  }
  dependsOn: [ rbac ]
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = api.outputs.name
output SERVICE_API_BASE_URL string = api.outputs.uri
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AUDIO_CONTAINER_NAME string = containerName
output EVENT_GRID_SYSTEM_TOPIC_NAME string = eventGrid.outputs.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output STEMFLOW_DEPLOY_MODE string = mode
output GPU_ENABLED bool = gpuEnabled
output GPU_APP_NAME string = gpuEnabled ? gpu.outputs.appName : ''
output GPU_APP_BASE_URL string = gpuEnabled ? gpu.outputs.uri : ''
output AZURE_CONTAINER_REGISTRY_NAME string = gpuEnabled ? gpu.outputs.registryName : ''
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = gpuEnabled ? gpu.outputs.registryLoginServer : ''
output DURABLE_BACKEND string = durableBackend
