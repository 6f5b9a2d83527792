@description('Storage account name (3-24 lowercase letters and digits).')
param name string
param location string
param tags object

@description('Blob containers to create.')
param containers array = []

@description('Days deleted blobs and containers are kept (0 turns soft delete off).')
@minValue(0)
@maxValue(365)
param softDeleteRetentionDays int = 7

@description('Keep previous versions of every blob.')
param versioning bool = false

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    // Identity (RBAC) only: no account keys, no SAS signed with them.
    allowSharedKeyAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    defaultToOAuthAuthentication: true
    publicNetworkAccess: 'Enabled'
  }
}

resource blobServices 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    isVersioningEnabled: versioning
    deleteRetentionPolicy: softDeleteRetentionDays > 0 ? { enabled: true, days: max(softDeleteRetentionDays, 1) } : { enabled: false }
    containerDeleteRetentionPolicy: softDeleteRetentionDays > 0 ? { enabled: true, days: max(softDeleteRetentionDays, 1) } : { enabled: false }
  }
}

resource blobContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [for container in containers: {
  parent: blobServices
  name: container
  properties: { publicAccess: 'None' }
}]

output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
output queueEndpoint string = account.properties.primaryEndpoints.queue
output tableEndpoint string = account.properties.primaryEndpoints.table
