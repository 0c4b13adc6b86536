// Model mode: a Container Apps environment with a serverless GPU workload profile, a registry
// for the image built from ./Dockerfile (onnxruntime-node with CUDA 12), and the same Functions
// app running there as a native Functions container app (kind: functionapp) with
// STEMFLOW_MODE=model. The image starts as the public Functions Node base image until
// bicep/hooks/postdeploy.* builds and rolls out the real one.
param environmentName string
param appName string
param registryName string
param location string
param tags object
@description('Tags of the app itself: include azd-service-name.')
param serviceTags object
param logAnalyticsName string
param identityId string
@allowed([ 'Consumption-GPU-NC8as-T4', 'Consumption-GPU-NC24-A100' ])
param gpuProfile string
param maximumReplicas int
param appSettings object
param callbackSecretUri string
param image string = 'mcr.microsoft.com/azure-functions/node:4-node20'

// Per-replica resources of each serverless GPU profile (the whole GPU, its vCPUs and memory).
var gpuResources = {
  'Consumption-GPU-NC8as-T4': { cpu: '8', memory: '56Gi' }
  'Consumption-GPU-NC24-A100': { cpu: '24', memory: '220Gi' }
}
var acrPullRole = { roleName: 'AcrPull', roleId: '7f951dda-4ed3-4680-a7ca-43fe172d538d' }
// Secrets become Container Apps secrets (Key Vault references); the rest plain environment variables.
var plainSettings = filter(items(appSettings), s => s.key != 'STEMFLOW_CALLBACK_SECRET')
var envVars = concat(map(plainSettings, s => { name: s.key, value: string(s.value) }), [
  { name: 'STEMFLOW_CALLBACK_SECRET', secretRef: 'callback-secret' }
])

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: logAnalyticsName
}

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: registryName
  location: location
  tags: tags
  sku: { name: 'Basic' }
  properties: {
    adminUserEnabled: false
    anonymousPullEnabled: false
  }
}

resource identityResource 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: last(split(identityId, '/'))
}

resource acrPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, identityId, acrPullRole.roleId)
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPullRole.roleId)
    principalId: identityResource.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource environment 'Microsoft.App/managedEnvironments@2024-03-01' = {
  name: environmentName
  location: location
  tags: tags
  properties: {
    appLogsConfiguration: {
      destination: 'azure-monitor'
    }
    workloadProfiles: [
      { name: 'Consumption', workloadProfileType: 'Consumption' }
      { name: 'gpu', workloadProfileType: gpuProfile }
    ]
  }
}

// Container Apps sends its logs to the workspace through diagnostic settings (no shared key).
resource environmentLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'logs'
  scope: environment
  properties: {
    workspaceId: logAnalytics.id
    logs: [ { categoryGroup: 'allLogs', enabled: true } ]
  }
}

resource app 'Microsoft.App/containerApps@2025-02-02-preview' = {
  name: appName
  location: location
  tags: serviceTags
  kind: 'functionapp'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    managedEnvironmentId: environment.id
    workloadProfileName: 'gpu'
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: {
        external: true
        targetPort: 80
        transport: 'auto'
        allowInsecure: false
      }
      registries: [ { server: registry.properties.loginServer, identity: identityId } ]
      secrets: [ { name: 'callback-secret', keyVaultUrl: callbackSecretUri, identity: identityId } ]
    }
    template: {
      containers: [
        {
          name: 'stemflow'
          image: image
          resources: {
            cpu: json(gpuResources[gpuProfile].cpu)
            memory: gpuResources[gpuProfile].memory
          }
          env: envVars
        }
      ]
      scale: {
        minReplicas: 0
        maxReplicas: maximumReplicas
      }
    }
  }
  dependsOn: [ acrPull ]
}

output appName string = app.name
output uri string = 'https://${app.properties.configuration.ingress.fqdn}'
output registryName string = registry.name
output registryLoginServer string = registry.properties.loginServer
