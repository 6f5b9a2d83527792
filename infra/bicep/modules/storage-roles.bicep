// Grants built-in data roles on a storage account of this module's resource group. Works for an account this
// deployment creates and for an existing one (a shared snapshot account in another resource group), and returns
// the account's blob endpoints (primary, and secondary where readable) so callers need not build URLs by hand.

@description('Storage account to grant the roles on (in this module\'s resource group).')
param storageAccountName string

@description('Object id of the principal that receives the roles.')
param principalId string

@description('Kind of principal (ServicePrincipal for a managed identity).')
@allowed(['ServicePrincipal', 'User', 'Group'])
param principalType string = 'ServicePrincipal'

@description('Built-in role definition ids (GUIDs) to assign.')
param roleDefinitionIds string[]

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource assignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in roleDefinitionIds: {
    name: guid(account.id, principalId, roleId)
    scope: account
    properties: {
      principalId: principalId
      principalType: principalType
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    }
  }
]

@description('Blob service endpoint of the account.')
output blobEndpoint string = account.properties.primaryEndpoints.blob

@description('Read-only blob endpoint in the paired region (RA-GRS/RA-GZRS accounts only); empty otherwise.')
output secondaryBlobEndpoint string = account.properties.?secondaryEndpoints.?blob ?? ''
