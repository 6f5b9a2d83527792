// A StorageV2 account reachable with Entra ID only: no account keys, no SAS signed with them, no public blobs.

@description('Storage account name (3-24 lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region of the account.')
param location string

@description('Tags of the account.')
param tags object

@description('Blob containers to create (private).')
param containers string[] = []

@description('Days deleted blobs and containers are kept (blob soft delete); 0 turns soft delete off.')
@minValue(0)
@maxValue(365)
param softDeleteRetentionDays int = 0

@description('Keep a previous version of a blob whenever it is overwritten or deleted (blob versioning).')
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
    // Identity (RBAC) only: shared keys, and SAS tokens signed with them, are refused.
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
  }
}

var softDelete = softDeleteRetentionDays > 0
  ? { enabled: true, days: max(softDeleteRetentionDays, 1) }
  : { enabled: false }

resource blobServices 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    isVersioningEnabled: versioning
    deleteRetentionPolicy: softDelete
    containerDeleteRetentionPolicy: softDelete
  }
}

resource blobContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [
  for container in containers: {
    parent: blobServices
    name: container
    properties: { publicAccess: 'None' }
  }
]

@description('Name of the account.')
output name string = account.name

@description('Blob service endpoint (https://<name>.blob.<suffix>/).')
output blobEndpoint string = account.properties.primaryEndpoints.blob

@description('Queue service endpoint.')
output queueEndpoint string = account.properties.primaryEndpoints.queue

@description('Table service endpoint.')
output tableEndpoint string = account.properties.primaryEndpoints.table
