// Event Grid system topic on the storage account. Its subscription to the function's blob
// webhook is created after deployment (bicep/hooks/postdeploy.*), because the webhook URL
// carries the blobs_extension system key, which exists only once the code is deployed.
param name string
param location string
param tags object
param storageAccountId string

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: name
  location: location
  tags: tags
  properties: {
    source: storageAccountId
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

output name string = topic.name
