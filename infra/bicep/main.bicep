targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the environment (azd env name); also recorded in every snapshot as its source environment.')
param environmentName string

@minLength(1)
@description('Azure region for all resources.')
param location string

@description('Resource group to create (default rg-<environmentName>).')
param resourceGroupName string = ''

@description('Existing storage account for snapshot archives, shared with other environments for cross-environment restore. Empty: create one.')
param existingSnapshotStorageAccountName string = ''

@description('Resource group of the existing snapshot storage account (default: this environment\'s group).')
param existingSnapshotStorageResourceGroup string = ''

@description('Blob container of the snapshot archives.')
param snapshotContainerName string = 'snapshots'

@description('Allow restoring, by identifier, snapshots made by other environments that share the snapshot storage.')
param restoreAcrossEnvironments bool = false

@description('Categorization AIs trained by an older model version are left out of snapshots ("retrain before snapshot").')
param categorizationAiMinVersion string = '1.0.0'

@description('Entra ID authority and audience that API tokens are validated against.')
param authAuthority string = '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
param authAudience string = ''

@description('Days deleted blobs are kept, and whether blob versioning is on, for the data and snapshot storage.')
@minValue(0)
@maxValue(365)
param blobSoftDeleteDays int = 7
param blobVersioning bool = false

@description('Cosmos DB serverless (pay per request) instead of provisioned throughput.')
param cosmosServerless bool = true

var token = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var taskHubName = 'snapshots${token}'
var deploymentContainerName = 'app-package-${take(token, 7)}'
var sharesSnapshotStorage = !empty(existingSnapshotStorageAccountName)

// Built-in roles.
var storageBlobDataOwner = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
var storageQueueDataContributor = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
var storageTableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'

resource group 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: empty(resourceGroupName) ? 'rg-${environmentName}' : resourceGroupName
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  scope: group
  params: { name: 'id-snapshots-${token}', location: location, tags: tags }
}

module monitoring 'modules/monitoring.bicep' = {
  scope: group
  params: { logAnalyticsName: 'log-${token}', applicationInsightsName: 'appi-${token}', location: location, tags: tags }
}

// The app's own storage: deployment packages and the Durable Task hub (queues, tables, blobs).
module appStorage 'modules/storage.bicep' = {
  scope: group
  params: { name: 'stapp${token}', location: location, tags: tags, containers: [deploymentContainerName] }
}

// The environment's data: document files and AI model files.
module dataStorage 'modules/storage.bicep' = {
  scope: group
  params: {
    name: 'stdata${token}'
    location: location
    tags: tags
    containers: ['documents', 'models', 'imports']
    softDeleteRetentionDays: blobSoftDeleteDays
    versioning: blobVersioning
  }
}

module snapshotStorage 'modules/storage.bicep' = if (!sharesSnapshotStorage) {
  scope: group
  params: {
    name: 'stsnap${token}'
    location: location
    tags: tags
    containers: [snapshotContainerName]
    softDeleteRetentionDays: blobSoftDeleteDays
    versioning: blobVersioning
  }
}

var snapshotAccountName = sharesSnapshotStorage ? existingSnapshotStorageAccountName : 'stsnap${token}'
var snapshotGroupName = sharesSnapshotStorage && !empty(existingSnapshotStorageResourceGroup) ? existingSnapshotStorageResourceGroup : group.name

module cosmos 'modules/cosmos.bicep' = {
  scope: group
  params: {
    name: 'cosmos-${token}'
    location: location
    tags: tags
    serverless: cosmosServerless
    principalId: identity.outputs.principalId
  }
}

module appStorageRoles 'modules/storage-roles.bicep' = {
  scope: group
  params: {
    storageAccountName: appStorage.outputs.name
    principalId: identity.outputs.principalId
    roleDefinitionIds: [storageBlobDataOwner, storageQueueDataContributor, storageTableDataContributor]
  }
}

module dataStorageRoles 'modules/storage-roles.bicep' = {
  scope: group
  params: { storageAccountName: dataStorage.outputs.name, principalId: identity.outputs.principalId, roleDefinitionIds: [storageBlobDataOwner] }
}

module snapshotStorageRoles 'modules/storage-roles.bicep' = {
  scope: resourceGroup(snapshotGroupName)
  dependsOn: [snapshotStorage]
  params: { storageAccountName: snapshotAccountName, principalId: identity.outputs.principalId, roleDefinitionIds: [storageBlobDataOwner] }
}

module monitoringRoles 'modules/monitoring-roles.bicep' = {
  scope: group
  params: { applicationInsightsName: monitoring.outputs.applicationInsightsName, principalId: identity.outputs.principalId }
}

var blobSuffix = environment().suffixes.storage

module functionApp 'modules/functionapp.bicep' = {
  scope: group
  params: {
    name: 'func-snapshots-${token}'
    planName: 'plan-${token}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    deploymentBlobEndpoint: appStorage.outputs.blobEndpoint
    deploymentContainerName: deploymentContainerName
    // The same names as local.settings.sample.json (checked by a test). Identity-based: no keys anywhere.
    appSettings: {
      AzureWebJobsStorage__blobServiceUri: appStorage.outputs.blobEndpoint
      AzureWebJobsStorage__queueServiceUri: appStorage.outputs.queueEndpoint
      AzureWebJobsStorage__tableServiceUri: appStorage.outputs.tableEndpoint
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identity.outputs.clientId
      TaskHubName: taskHubName
      DataStorage__serviceUri: dataStorage.outputs.blobEndpoint
      DataStorage__credential: 'managedidentity'
      DataStorage__clientId: identity.outputs.clientId
      Snapshots__Storage__serviceUri: 'https://${snapshotAccountName}.blob.${blobSuffix}/'
      Snapshots__Storage__containerName: snapshotContainerName
      Snapshots__Storage__credential: 'managedidentity'
      Snapshots__Storage__clientId: identity.outputs.clientId
      Cosmos__accountEndpoint: cosmos.outputs.endpoint
      Cosmos__databaseName: cosmos.outputs.databaseName
      Cosmos__credential: 'managedidentity'
      Cosmos__clientId: identity.outputs.clientId
      Snapshots__EnvironmentName: environmentName
      Snapshots__RestoreAcrossEnvironments: string(restoreAcrossEnvironments)
      Snapshots__CategorizationAiMinVersion: categorizationAiMinVersion
      Auth__Authority: authAuthority
      Auth__Audience: authAudience
      APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.connectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.outputs.clientId};Authorization=AAD'
    }
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = group.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = functionApp.outputs.uri
output SNAPSHOT_STORAGE_ACCOUNT string = snapshotAccountName
