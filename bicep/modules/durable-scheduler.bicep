// Durable Task Scheduler (Consumption SKU) with one task hub per app. The task hub names equal
// STEMFLOW_TASK_HUB of each app (host.json hubName reads that setting).
param name string
param location string
param tags object
param taskHubNames array

resource scheduler 'Microsoft.DurableTask/schedulers@2025-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    sku: { name: 'Consumption' }
    // An empty list denies all traffic; access is still gated by Entra ID roles.
    ipAllowlist: [ '0.0.0.0/0' ]
  }
}

resource taskHubs 'Microsoft.DurableTask/schedulers/taskHubs@2025-11-01' = [for hub in taskHubNames: {
  parent: scheduler
  name: hub
}]

output name string = scheduler.name
output endpoint string = scheduler.properties.endpoint
