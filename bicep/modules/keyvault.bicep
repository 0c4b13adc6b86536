// Key Vault (RBAC authorisation) holding the callback HMAC secret. The function apps read it
// through a Key Vault reference with the shared identity; the .NET API reads the same secret.
param name string
param location string
param tags object
param callbackSecretName string
@secure()
param callbackSecret string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
  }
}

resource secret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: callbackSecretName
  properties: {
    value: callbackSecret
    contentType: 'HMAC-SHA256 key for X-Stemflow-Signature'
  }
}

output name string = vault.name
output uri string = vault.properties.vaultUri
output callbackSecretUri string = secret.properties.secretUri
