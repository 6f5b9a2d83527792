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

@description('Replication: RA-GZRS/RA-GRS also serve reads from the paired region (secondaryEndpoints).')
@allowed(['Standard_LRS', 'Standard_ZRS', 'Standard_GRS', 'Standard_GZRS', 'Standard_RAGRS', 'Standard_RAGZRS'])
param sku string = 'Standard_LRS'

@description('Days every blob version stays immutable (version-level WORM, account default policy, unlocked); 0 = off. Takes effect only when the account is created, and turns versioning on.')
@minValue(0)
@maxValue(146000)
param immutabilityDays int = 0

var immutable = immutabilityDays > 0

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: sku }
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
    ...(immutable
      ? {
          immutableStorageWithVersioning: {
            enabled: true
            immutabilityPolicy: {
              immutabilityPeriodSinceCreationInDays: max(immutabilityDays, 1)
              state: 'Unlocked'
              allowProtectedAppendWrites: false
            }
          }
        }
      : {})
  }
}

var softDelete = softDeleteRetentionDays > 0
  ? { enabled: true, days: max(softDeleteRetentionDays, 1) }
  : { enabled: false }

resource blobServices 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    isVersioningEnabled: versioning || immutable
    deleteRetentionPolicy: softDelete
    containerDeleteRetentionPolicy: softDelete
  }
}

resource blobContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [
  for container in containers: {
    parent: blobServices
    name: container
    properties: {
      publicAccess: 'None'
      ...(immutable ? { immutableStorageWithVersioning: { enabled: true } } : {})
    }
  }
]

// Under WORM a deleted blob stays as a previous version; once its retention has run out, lifecycle management
// deletes it, so storage is billed for the retention period and not for ever.
resource expiredVersions 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = if (immutable) {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'delete-expired-versions'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: { blobTypes: ['blockBlob', 'appendBlob'] }
            actions: { version: { delete: { daysAfterCreationGreaterThan: immutabilityDays + 1 } } }
          }
        }
      ]
    }
  }
}

@description('Name of the account.')
output name string = account.name

@description('Blob service endpoint (https://<name>.blob.<suffix>/).')
output blobEndpoint string = account.properties.primaryEndpoints.blob

@description('Queue service endpoint.')
output queueEndpoint string = account.properties.primaryEndpoints.queue

@description('Table service endpoint.')
output tableEndpoint string = account.properties.primaryEndpoints.table
