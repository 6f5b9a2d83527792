// The Key Vault that keeps the webhooks' signing secrets. The app's identity may set, read and delete secrets in it
// (Key Vault Secrets Officer) and nothing else; access is by Azure RBAC only, no access policies, no keys.

@description('Name of the vault (3-24 letters, digits and dashes).')
param name string

@description('Azure region of the vault.')
param location string

@description('Tags of the vault.')
param tags object

@description('Principal id of the identity that manages the webhook secrets.')
param principalId string

@description('Days a deleted secret stays recoverable.')
param softDeleteRetentionInDays int = 7

var keyVaultSecretsOfficer = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource secretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, keyVaultSecretsOfficer)
  scope: vault
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsOfficer)
  }
}

@description('The vault URI the app settings name (Snapshots__Webhooks__KeyVault__vaultUri).')
output uri string = vault.properties.vaultUri
