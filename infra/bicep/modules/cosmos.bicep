// Cosmos DB (NoSQL) account with Entra ID data access only, database `snapshots` and its two containers
// (DESIGN.md, "Storage layout"), and the data-plane role assignments.

@description('Cosmos DB account name (3-44 lowercase letters, digits and hyphens).')
param name string

@description('Azure region of the account (single region).')
param location string

@description('Tags of the account.')
param tags object

@description('Database holding the projects and annotations containers.')
param databaseName string = 'snapshots'

@description('Serverless capacity (pay per request) instead of provisioned throughput.')
param serverless bool = true

@description('Backup: Continuous7Days or Continuous30Days (point-in-time restore into a new account), or Periodic (the Cosmos default). Periodic to continuous is a one-way migration.')
@allowed(['Periodic', 'Continuous7Days', 'Continuous30Days'])
param backup string = 'Continuous7Days'

@description('Provisioned accounts only: autoscale maximum RU/s shared by the database\'s containers.')
@minValue(1000)
param autoscaleMaxThroughput int = 1000

@description('Object id of the app\'s managed identity: granted Cosmos DB Built-in Data Contributor.')
param principalId string

@description('Optional object id (a developer or operator) granted Cosmos DB Built-in Data Reader; empty for none.')
param readerPrincipalId string = ''

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-05-15' = {
  name: name
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    consistencyPolicy: { defaultConsistencyLevel: 'Session' }
    locations: [{ locationName: location, failoverPriority: 0, isZoneRedundant: false }]
    // Entra ID (RBAC) only: the account keys cannot be used.
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: 'Enabled'
    capabilities: serverless ? [{ name: 'EnableServerless' }] : []
    // Periodic: no policy sent; a new account gets Cosmos' default periodic backups, an existing one keeps its own.
    ...(backup == 'Periodic' ? {} : { backupPolicy: { type: 'Continuous', continuousModeProperties: { tier: backup } } })
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-05-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: { id: databaseName }
    options: serverless ? {} : { autoscaleSettings: { maxThroughput: autoscaleMaxThroughput } }
  }
}

// Project-scoped documents: project, categories, labels, label sets, document and AI metadata, members,
// snapshot and restore records.
resource projects 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-05-15' = {
  parent: database
  name: 'projects'
  properties: {
    resource: {
      id: 'projects'
      partitionKey: { paths: ['/projectId'], kind: 'Hash', version: 2 }
    }
  }
}

// Annotation sets and annotations of one document: documentKey = {projectId}:{documentId}.
resource annotations 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-05-15' = {
  parent: database
  name: 'annotations'
  properties: {
    resource: {
      id: 'annotations'
      partitionKey: { paths: ['/documentKey'], kind: 'Hash', version: 2 }
    }
  }
}

// Built-in data-plane roles (sqlRoleDefinitions exist in every account under these fixed ids).
var dataReader = '00000000-0000-0000-0000-000000000001'
var dataContributor = '00000000-0000-0000-0000-000000000002'

resource appDataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-05-15' = {
  parent: account
  name: guid(account.id, principalId, dataContributor)
  properties: {
    principalId: principalId
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/${dataContributor}'
    scope: account.id
  }
}

resource readerDataReader 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-05-15' = if (!empty(readerPrincipalId)) {
  parent: account
  name: guid(account.id, readerPrincipalId, dataReader)
  properties: {
    principalId: readerPrincipalId
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/${dataReader}'
    scope: account.id
  }
}

@description('Account endpoint (https://<name>.documents.azure.com:443/).')
output endpoint string = account.properties.documentEndpoint

@description('Name of the database.')
output databaseName string = database.name
