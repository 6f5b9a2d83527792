// Snapshot service in Azure: one resource group per environment holding the Function App (Flex Consumption),
// its user-assigned identity, storage, Cosmos DB and monitoring, with RBAC role assignments in place of keys.
// The snapshot storage may instead be an existing account shared with other environments (cross-environment
// restore). Deployed with `azd up` (see infra/README.md); built and linted by .ci/bicep.sh.
targetScope = 'subscription'

// ---------------------------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------------------------

@minLength(1)
@maxLength(64)
@description('Name of the environment (azd env name). Seeds resource names and is recorded in every snapshot as its source environment.')
param environmentName string

@minLength(1)
@description('Azure region of the resource group and its resources (a region that offers Flex Consumption).')
@metadata({ azd: { type: 'location' } })
param location string

@description('Resource group to create; default rg-<environmentName>.')
param resourceGroupName string = ''

@description('Existing storage account holding snapshot archives, shared with other environments for cross-environment restore. Empty: this environment creates its own.')
param existingSnapshotStorageAccountName string = ''

@description('Resource group of the existing snapshot storage account; default: this environment\'s resource group.')
param existingSnapshotStorageResourceGroup string = ''

@description('Subscription of the existing snapshot storage account; default: this deployment\'s subscription.')
param existingSnapshotStorageSubscriptionId string = ''

@description('Replication of the snapshot storage this deployment creates: RA-GZRS (zones plus a readable copy in the paired region) where the region has availability zones, else Standard_RAGRS. The read-access SKUs also set Snapshots__Storage__secondaryServiceUri.')
@allowed(['Standard_RAGZRS', 'Standard_RAGRS', 'Standard_GZRS', 'Standard_GRS', 'Standard_ZRS', 'Standard_LRS'])
param snapshotStorageSku string = 'Standard_RAGZRS'

@description('Days each snapshot blob version stays immutable (version-level WORM on the snapshot storage this deployment creates, unlocked default policy); 0 = off. Can only be turned on when that account is created.')
@minValue(0)
@maxValue(146000)
param snapshotImmutabilityDays int = 0

@description('Blob container of the snapshot archives (Snapshots__Storage__containerName).')
param snapshotContainerName string = 'snapshots'

@description('Allow restoring, by identifier, snapshots made by other environments that share the snapshot storage (Snapshots__RestoreAcrossEnvironments).')
param restoreAcrossEnvironments bool = false

@description('Categorization AIs trained by an older model version are left out of snapshots with a "retrain before snapshot" warning (Snapshots__CategorizationAiMinVersion).')
param categorizationAiMinVersion string = '1.0.0'

@description('Days the audit log keeps its entries (Snapshots__Audit__RetentionDays); the daily PruneAuditLog timer deletes older days.')
@minValue(1)
@maxValue(3650)
param auditRetentionDays int = 90

@description('Issuer that API tokens are validated against (Auth__Authority); default: this tenant\'s Entra ID v2.0 endpoint.')
param authAuthority string = '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'

@description('Audience that API tokens must carry (Auth__Audience): the Application ID URI or client id of the API\'s Entra app registration. Required: without it every call is 401.')
@minLength(1)
param authAudience string

@description('Client id of the API\'s Entra app registration (Auth__ClientId): the audience of v2 access tokens, accepted besides authAudience.')
param authClientId string = ''

@description('Put App Service authentication (Entra ID, authentication required) in front of the app and trust its X-MS-CLIENT-PRINCIPAL header (Auth__AppServiceAuthentication): one switch for both, since only the platform in front strips that header from callers.')
param appServiceAuthentication bool = false

@description('Days deleted blobs and containers are kept (blob soft delete) in the data and snapshot storage this deployment creates; 0 turns it off.')
@minValue(0)
@maxValue(365)
param blobSoftDeleteDays int = 7

@description('Blob versioning in the data and snapshot storage this deployment creates.')
param blobVersioning bool = false

@description('Cosmos DB serverless (pay per request) instead of provisioned autoscale throughput.')
param cosmosServerless bool = true

@description('Cosmos DB backup: continuous (point-in-time restore) for 7 days (no charge) or 30 days (billed), or Periodic. Periodic to continuous is one-way.')
@allowed(['Periodic', 'Continuous7Days', 'Continuous30Days'])
param cosmosContinuousBackup string = 'Continuous7Days'

@description('Upserts each restore or import batch activity keeps in flight (Cosmos__writeConcurrency); up to 8 batch activities run at once. Lower it to leave RU/s to the live application during a large restore.')
@minValue(1)
@maxValue(64)
param cosmosWriteConcurrency int = 16

@description('Upper bound of function app instances.')
@minValue(40)
@maxValue(1000)
param functionMaximumInstanceCount int = 100

@description('Memory of each function app instance, in MB.')
@allowed([512, 2048, 4096])
param functionInstanceMemoryMB int = 2048

@description('Optional object id of the deployer (azd passes the signed-in principal) granted read-only data access for inspection: Blob Data Reader on the data and snapshot storage, Cosmos DB Built-in Data Reader. Empty: none.')
param principalId string = ''

@description('Kind of principalId: User, or ServicePrincipal when azd runs signed in as one (CI).')
@allowed(['User', 'ServicePrincipal', 'Group'])
param principalType string = 'User'

@description('Whether principalId gets that read-only data access (turn off for production).')
param grantPrincipalReadAccess bool = true

// ---------------------------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------------------------

var token = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var names = {
  resourceGroup: empty(resourceGroupName) ? 'rg-${environmentName}' : resourceGroupName
  identity: 'id-snapshots-${token}'
  logAnalytics: 'log-${token}'
  applicationInsights: 'appi-${token}'
  appStorage: 'stapp${token}'
  dataStorage: 'stdata${token}'
  snapshotStorage: 'stsnap${token}'
  cosmos: 'cosmos-${token}'
  plan: 'plan-${token}'
  functionApp: 'func-snapshots-${token}'
  deploymentContainer: 'app-package-${take(token, 7)}'
  keyVault: 'kv-${token}'
}

// Durable Task hub in the app storage (letters and digits only).
var taskHubName = 'snapshots'

var sharesSnapshotStorage = !empty(existingSnapshotStorageAccountName)
var snapshotAccountName = sharesSnapshotStorage ? existingSnapshotStorageAccountName : names.snapshotStorage
var snapshotSubscriptionId = sharesSnapshotStorage && !empty(existingSnapshotStorageSubscriptionId)
  ? existingSnapshotStorageSubscriptionId
  : subscription().subscriptionId
var snapshotGroupName = sharesSnapshotStorage && !empty(existingSnapshotStorageResourceGroup)
  ? existingSnapshotStorageResourceGroup
  : names.resourceGroup

var grantReader = grantPrincipalReadAccess && !empty(principalId)

// Built-in role definitions.
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
}

// ---------------------------------------------------------------------------------------------------------------
// Resources
// ---------------------------------------------------------------------------------------------------------------

resource group 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: names.resourceGroup
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  scope: group
  params: { name: names.identity, location: location, tags: tags }
}

module monitoring 'modules/monitoring.bicep' = {
  scope: group
  params: {
    logAnalyticsName: names.logAnalytics
    applicationInsightsName: names.applicationInsights
    location: location
    tags: tags
  }
}

// The app's own storage: deployment packages (blob container) and the Durable Task hub (queues, tables, blobs).
module appStorage 'modules/storage.bicep' = {
  scope: group
  params: {
    name: names.appStorage
    location: location
    tags: tags
    containers: [names.deploymentContainer]
  }
}

// This environment's data: original document files and pages, AI model files, uploads being imported.
module dataStorage 'modules/storage.bicep' = {
  scope: group
  params: {
    name: names.dataStorage
    location: location
    tags: tags
    containers: ['documents', 'models', 'imports', 'ledgers']
    softDeleteRetentionDays: blobSoftDeleteDays
    versioning: blobVersioning
  }
}

// Snapshot archives: created here unless an existing (shared) account is named.
module snapshotStorage 'modules/storage.bicep' = if (!sharesSnapshotStorage) {
  scope: group
  params: {
    name: names.snapshotStorage
    location: location
    tags: tags
    containers: [snapshotContainerName]
    softDeleteRetentionDays: blobSoftDeleteDays
    versioning: blobVersioning
    sku: snapshotStorageSku
    immutabilityDays: snapshotImmutabilityDays
  }
}

module cosmos 'modules/cosmos.bicep' = {
  scope: group
  params: {
    name: names.cosmos
    location: location
    tags: tags
    serverless: cosmosServerless
    backup: cosmosContinuousBackup
    principalId: identity.outputs.principalId
    readerPrincipalId: grantReader ? principalId : ''
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Role assignments of the app's identity (and the optional reader)
// ---------------------------------------------------------------------------------------------------------------

// The Functions host and the Durable Task extension need Blob Data Owner, Queue and Table Data Contributor.
module appStorageRoles 'modules/storage-roles.bicep' = {
  scope: group
  params: {
    storageAccountName: appStorage.outputs.name
    principalId: identity.outputs.principalId
    roleDefinitionIds: [roles.storageBlobDataOwner, roles.storageQueueDataContributor, roles.storageTableDataContributor]
  }
}

module dataStorageRoles 'modules/storage-roles.bicep' = {
  scope: group
  params: {
    storageAccountName: dataStorage.outputs.name
    principalId: identity.outputs.principalId
    roleDefinitionIds: [roles.storageBlobDataContributor]
  }
}

// Scoped to the snapshot account's resource group, which may belong to another environment or subscription.
module snapshotStorageRoles 'modules/storage-roles.bicep' = {
  scope: resourceGroup(snapshotSubscriptionId, snapshotGroupName)
  dependsOn: [snapshotStorage]
  params: {
    storageAccountName: snapshotAccountName
    principalId: identity.outputs.principalId
    roleDefinitionIds: [roles.storageBlobDataContributor]
  }
}

module monitoringRoles 'modules/monitoring-roles.bicep' = {
  scope: group
  params: {
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    principalId: identity.outputs.principalId
  }
}

module dataStorageReader 'modules/storage-roles.bicep' = if (grantReader) {
  scope: group
  params: {
    storageAccountName: dataStorage.outputs.name
    principalId: principalId
    principalType: principalType
    roleDefinitionIds: [roles.storageBlobDataReader]
  }
}

module snapshotStorageReader 'modules/storage-roles.bicep' = if (grantReader) {
  scope: resourceGroup(snapshotSubscriptionId, snapshotGroupName)
  dependsOn: [snapshotStorage]
  params: {
    storageAccountName: snapshotAccountName
    principalId: principalId
    principalType: principalType
    roleDefinitionIds: [roles.storageBlobDataReader]
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Function app
// ---------------------------------------------------------------------------------------------------------------

module keyVault 'modules/keyvault.bicep' = {
  scope: group
  params: { name: names.keyVault, location: location, tags: tags, principalId: identity.outputs.principalId }
}

module functionApp 'modules/functionapp.bicep' = {
  scope: group
  // Start the app once its identity may use its storage and telemetry.
  dependsOn: [appStorageRoles, dataStorageRoles, monitoringRoles]
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    tags: tags
    identityId: identity.outputs.id
    deploymentBlobEndpoint: appStorage.outputs.blobEndpoint
    deploymentContainerName: names.deploymentContainer
    maximumInstanceCount: functionMaximumInstanceCount
    instanceMemoryMB: functionInstanceMemoryMB
    appServiceAuthentication: appServiceAuthentication
    authClientId: authClientId
    authIssuer: authAuthority
    authAudiences: filter([authAudience, authClientId], audience => !empty(audience))
    // Exactly the names of local.settings.sample.json `Values` minus FUNCTIONS_WORKER_RUNTIME (Flex Consumption
    // takes the runtime from functionAppConfig); AppSettingsContractTests compares the two. Identity-based
    // connections throughout: endpoints, credential=managedidentity and the identity's client id, no keys.
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
      Snapshots__Storage__serviceUri: snapshotStorageRoles.outputs.blobEndpoint
      // Read from the account itself, so a shared account's replication counts, not this deployment's SKU.
      Snapshots__Storage__secondaryServiceUri: snapshotStorageRoles.outputs.secondaryBlobEndpoint
      Snapshots__Storage__containerName: snapshotContainerName
      Snapshots__Storage__credential: 'managedidentity'
      Snapshots__Storage__clientId: identity.outputs.clientId
      Cosmos__accountEndpoint: cosmos.outputs.endpoint
      Cosmos__databaseName: cosmos.outputs.databaseName
      Cosmos__credential: 'managedidentity'
      Cosmos__clientId: identity.outputs.clientId
      Cosmos__writeConcurrency: string(cosmosWriteConcurrency)
      // One request per document's annotations instead of one per annotation (the emulator has no transactional batch).
      Cosmos__useTransactionalBatch: 'true'
      // 429s: the SDK waits the retry-after the account sends, this often and this long in all, then the activity's retry policy takes over.
      Cosmos__maxRateLimitRetries: '9'
      Cosmos__maxRateLimitWaitSeconds: '30'
      Snapshots__EnvironmentName: environmentName
      Snapshots__RestoreAcrossEnvironments: restoreAcrossEnvironments ? 'true' : 'false'
      Snapshots__CategorizationAiMinVersion: categorizationAiMinVersion
      // Webhook signing secrets live in Key Vault; the webhook records hold only the secrets' names.
      Snapshots__Webhooks__KeyVault__vaultUri: keyVault.outputs.uri
      Snapshots__Webhooks__KeyVault__credential: 'managedidentity'
      Snapshots__Webhooks__KeyVault__clientId: identity.outputs.clientId
      Snapshots__Audit__RetentionDays: string(auditRetentionDays)
      Auth__Authority: authAuthority
      Auth__Audience: authAudience
      Auth__ClientId: authClientId
      Auth__AppServiceAuthentication: appServiceAuthentication ? 'true' : 'false'
      APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.connectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.outputs.clientId};Authorization=AAD'
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Outputs (azd stores them in the environment's .env)
// ---------------------------------------------------------------------------------------------------------------

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = group.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output SERVICE_API_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = functionApp.outputs.uri
output AZURE_USER_ASSIGNED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_COSMOS_ENDPOINT string = cosmos.outputs.endpoint
output AZURE_DATA_STORAGE_ACCOUNT_NAME string = dataStorage.outputs.name
// Named unlike the SNAPSHOTS_SHARED_STORAGE_* inputs, so a later `azd provision` never mistakes this
// environment's own account for a shared one.
output AZURE_SNAPSHOT_STORAGE_ACCOUNT_NAME string = snapshotAccountName
output AZURE_SNAPSHOT_STORAGE_RESOURCE_GROUP string = snapshotGroupName
output AZURE_SNAPSHOT_STORAGE_SUBSCRIPTION_ID string = snapshotSubscriptionId
