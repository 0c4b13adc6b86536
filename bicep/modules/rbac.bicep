// Data-plane role assignments of the app identity (and, optionally, of the deploying user and
// the .NET API). Built-in role ids: test/deploy/bicep.test.ts checks each roleId against the
// built-in table by roleName.
param storageAccountName string
param applicationInsightsName string
param keyVaultName string
@description('Durable Task Scheduler name, or empty for the Azure Storage backend.')
param schedulerName string = ''
param identityPrincipalId string
param userPrincipalId string = ''
param apiPrincipalId string = ''

var storageRoles = [
  { roleName: 'Storage Blob Data Owner', roleId: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' }
  { roleName: 'Storage Queue Data Contributor', roleId: '974c5e8b-45b9-4653-ba55-5f855dd0fb88' }
  { roleName: 'Storage Table Data Contributor', roleId: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' }
]
var monitoringRole = { roleName: 'Monitoring Metrics Publisher', roleId: '3913510d-42f4-4e42-8a64-420c390055eb' }
var keyVaultSecretsUserRole = { roleName: 'Key Vault Secrets User', roleId: '4633458b-17de-408a-b874-0445c86b69e6' }
var durableRole = { roleName: 'Durable Task Data Contributor', roleId: '0ad04412-c4d5-4796-b79c-f76d14c8d402' }
var userBlobRole = { roleName: 'Storage Blob Data Contributor', roleId: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe' }

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource scheduler 'Microsoft.DurableTask/schedulers@2025-11-01' existing = if (!empty(schedulerName)) {
  name: schedulerName
}

resource storageRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in storageRoles: {
  name: guid(storage.id, identityPrincipalId, role.roleId)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.roleId)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}]

resource monitoringRoleAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identityPrincipalId, monitoringRole.roleId)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringRole.roleId)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource keyVaultRoleAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identityPrincipalId, keyVaultSecretsUserRole.roleId)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRole.roleId)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource durableRoleAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(schedulerName)) {
  name: guid(resourceGroup().id, schedulerName, identityPrincipalId, durableRole.roleId)
  scope: scheduler
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', durableRole.roleId)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The deploying user: upload test audio with `az storage blob upload --auth-mode login`.
resource userBlobRoleAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(userPrincipalId)) {
  name: guid(storage.id, userPrincipalId, userBlobRole.roleId)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', userBlobRole.roleId)
    principalId: userPrincipalId
    principalType: 'User'
  }
}

// The deploying user: read the callback secret back (azd's secretOrRandomPassword keeps it stable).
resource userKeyVaultRoleAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(userPrincipalId)) {
  name: guid(vault.id, userPrincipalId, keyVaultSecretsUserRole.roleId)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRole.roleId)
    principalId: userPrincipalId
    principalType: 'User'
  }
}

// The .NET API's identity: reads the callback secret from Key Vault.
resource apiKeyVaultRoleAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(apiPrincipalId)) {
  name: guid(vault.id, apiPrincipalId, keyVaultSecretsUserRole.roleId)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRole.roleId)
    principalId: apiPrincipalId
    principalType: 'ServicePrincipal'
  }
}
