// The user-assigned managed identity the function app runs as. Every data-plane permission is granted to it.

@description('Name of the user-assigned managed identity.')
param name string

@description('Azure region of the identity.')
param location string

@description('Tags of the identity.')
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

@description('Resource id of the identity.')
output id string = identity.id

@description('Client (application) id: what the app settings name as clientId.')
output clientId string = identity.properties.clientId

@description('Object (principal) id: what role assignments name.')
output principalId string = identity.properties.principalId
