// The user-assigned identity shared by the function apps: storage (host + app data), Durable,
// Application Insights, Key Vault references and the registry pull all authenticate with it.
param name string
param location string
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
