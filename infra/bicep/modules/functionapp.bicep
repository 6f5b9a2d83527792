// The Function App on a Flex Consumption plan (FC1), running as the user-assigned identity. Flex Consumption
// takes the runtime, deployment storage and scaling from functionAppConfig: FUNCTIONS_WORKER_RUNTIME,
// FUNCTIONS_EXTENSION_VERSION and WEBSITE_RUN_FROM_PACKAGE are not app settings here.

@description('Function app name.')
param name string

@description('Flex Consumption plan name.')
param planName string

@description('Azure region of the plan and the app.')
param location string

@description('Tags of the plan; the app gets them plus azd-service-name.')
param tags object

@description('azd service name (azure.yaml) this app hosts.')
param serviceName string = 'api'

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Blob endpoint of the app storage (with trailing slash).')
param deploymentBlobEndpoint string

@description('Container of the app storage that holds the deployment packages.')
param deploymentContainerName string

@description('App settings, named exactly as in local.settings.sample.json (main.bicep passes them; a test compares).')
param appSettings object

@description('Put App Service authentication in front of the app (Entra ID, every request authenticated): the only case in which the app may trust X-MS-CLIENT-PRINCIPAL. main.bicep sets Auth__AppServiceAuthentication from the same switch.')
param appServiceAuthentication bool = false

@description('Client id of the API\'s app registration, for App Service authentication.')
param authClientId string = ''

@description('Token issuer App Service authentication validates against.')
param authIssuer string = ''

@description('Audiences App Service authentication accepts.')
param authAudiences array = []

@description('.NET isolated worker version.')
@allowed(['8.0', '9.0', '10.0'])
param dotnetVersion string = '10.0'

@description('Upper bound of instances the app scales out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Memory of each instance.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { name: 'FC1', tier: 'FlexConsumption' }
  properties: { reserved: true }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      // No ftpsState: Flex Consumption rejects it ("Site.SiteConfig.FtpsState ... is invalid"); FTP is off through
      // the basic publishing credentials policy below.
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${deploymentBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        // Durable Functions on Flex: one instance of the durable group always ready, so orchestrations and
        // activities are picked up without waiting for a scale-out from zero.
        alwaysReady: [{ name: 'durable', instanceCount: 1 }]
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: { name: 'dotnet-isolated', version: dotnetVersion }
    }
  }

  // The whole set: a deployment replaces settings made by hand.
  resource settings 'config' = {
    name: 'appsettings'
    properties: appSettings
  }
}

// App Service authentication in front: unauthenticated requests get 401 from the platform, and the platform strips any
// X-MS-CLIENT-PRINCIPAL a caller sends, so the header the app sees is the platform's. Without this resource the app
// must not trust the header (anyone could forge it); AppSettingsContractTests ties the two together.
resource authentication 'Microsoft.Web/sites/config@2024-04-01' = if (appServiceAuthentication) {
  parent: app
  name: 'authsettingsV2'
  properties: {
    platform: { enabled: true }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'Return401'
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: authClientId
          openIdIssuer: authIssuer
        }
        validation: {
          allowedAudiences: authAudiences
        }
      }
    }
  }
}

// No publishing passwords: deployments authenticate with Entra ID.
resource basicPublishingFtp 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'ftp'
  properties: { allow: false }
}

resource basicPublishingScm 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'scm'
  properties: { allow: false }
}

@description('Name of the function app.')
output name string = app.name

@description('HTTPS base address of the function app.')
output uri string = 'https://${app.properties.defaultHostName}'
