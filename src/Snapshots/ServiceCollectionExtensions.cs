using Microsoft.Azure.Cosmos;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Converters;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Snapshots.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Snapshots.Health;
using Snapshots.Imports;
using Snapshots.Projects;
using Snapshots.Storage;

namespace Snapshots;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Registers the snapshot engine: options, Azure clients (identity-based in Azure, emulator endpoints
    /// locally, both read from configuration), stores and services. Used by the Functions app and the local runtime.
    /// </summary>
    public static IServiceCollection AddSnapshotsEngine(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SnapshotsOptions>().BindConfiguration(SnapshotsOptions.SectionName).ValidateOnStart();
        services.AddOptions<SnapshotStorageOptions>().BindConfiguration(SnapshotStorageOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => SnapshotStorageClientOptions.IsValidSecondary(o.SecondaryServiceUri), "Snapshots:Storage:SecondaryServiceUri must be empty or an absolute http(s) URI.")
            .ValidateOnStart();
        services.AddOptions<CosmosOptions>().BindConfiguration(CosmosOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.IsConfigured, "Cosmos:AccountEndpoint (or Cosmos:ConnectionString for the local emulator) is required.")
            .ValidateOnStart();

        services.AddAzureClients(clients =>
        {
            clients.AddBlobServiceClient(configuration.GetSection(BlobClientNames.DataSection)).WithName(BlobClientNames.Data);
            clients.AddBlobServiceClient(configuration.GetSection(SnapshotStorageOptions.SectionName)).WithName(BlobClientNames.Snapshots)
                .ConfigureOptions((options, provider) => SnapshotStorageClientOptions.Configure(
                    options, provider.GetRequiredService<IOptions<SnapshotStorageOptions>>().Value));
            clients.AddBlobServiceClient(configuration.GetSection(SnapshotStorageOptions.SectionName)).WithName(BlobClientNames.SnapshotsPrimary);
            if (UsesKeyVault(configuration))
            {
                clients.AddSecretClient(configuration.GetSection(Webhooks.WebhookOptions.KeyVaultSectionName));
            }
        });
        services.AddSingleton(provider => CosmosClientFactory.Create(
            provider.GetRequiredService<IOptions<CosmosOptions>>().Value, new CosmosClientOptions()));

        // Orchestration inputs and outputs use the service's JSON convention in both hosts.
        services.AddSingleton<DataConverter>(new JsonDataConverter(SnapshotsJson.Options));

        services.Configure<Microsoft.AspNetCore.Mvc.JsonOptions>(json => SnapshotsJson.Apply(json.JsonSerializerOptions));
        services.Configure<Microsoft.AspNetCore.Http.Json.JsonOptions>(json => SnapshotsJson.Apply(json.SerializerOptions));

        services.AddSingleton<BlobAccounts>();
        services.AddHostedService<StorageInitializer>();
        services.AddHostedService<Restore.RestoreRecordMigration>();
        services.AddSingleton<HealthProbe>();
        services.TryAddSingleton(TimeProvider.System);

        services.AddSingleton<ProjectStore>();
        services.AddSingleton<DocumentItemWriter>();
        services.AddSingleton<ProjectLeases>();
        services.AddSingleton<ProjectFiles>();

        services.AddOptions<Access.AuthOptions>().BindConfiguration(Access.AuthOptions.SectionName);
        services.AddSingleton<Access.CallerAuthenticator>();
        services.AddSingleton<Access.MembershipStore>();
        services.AddSingleton<Access.ProjectAccess>();

        services.AddOptions<ImportOptions>().BindConfiguration(ImportOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ImportStaging>();
        services.AddSingleton<ImportPlanner>();
        services.AddSingleton<KonfuzioImporter>();
        services.AddSingleton<ImportService>();
        services.AddSingleton<SnapshotArchiveImporter>();
        services.AddSingleton<Archive.ImportedArchives>();

        services.AddSingleton<Records.SnapshotStore>();
        services.AddSingleton<Archive.SnapshotBlobs>();
        services.AddSingleton<Archive.ArchiveAssembler>();
        services.AddSingleton<Create.SnapshotExporter>();
        services.AddSingleton<Create.SnapshotService>();

        services.AddSingleton<Restore.RestoreStaging>();
        services.AddSingleton<Restore.SchemaRestorer>();
        services.AddSingleton<Restore.DocumentRestorer>();
        services.AddSingleton<Restore.RestoreService>();
        services.AddSingleton<Restore.RestorePreviewer>();
        services.AddSingleton<Selection.ArchiveSelections>();
        services.AddSingleton<Compare.SnapshotComparer>();
        services.AddSingleton<Restore.Revert.RestoreLedger>();
        services.AddSingleton<Restore.Revert.RestoreReverter>();
        services.AddSingleton<Restore.RestoreStore>();
        services.AddSingleton<Restore.RestorePublisher>();
        services.AddSingleton<Operations.PendingOperations>();
        services.AddSingleton<Operations.OperationReconciler>();

        services.AddSingleton<Verification.SnapshotVerifier>();

        AddWebhooks(services, configuration);

        services.AddSingleton<Backups.BackupPolicyService>();
        services.AddSingleton<Backups.BackupScheduler>();

        services.AddOptions<Audit.AuditOptions>().BindConfiguration(Audit.AuditOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Audit.AuditRecorder>();
        services.AddSingleton<Audit.AuditLog>();
        return services;
    }

    /// <summary>Webhook secrets go to Key Vault when one is configured (Azure), else to their own Cosmos partition (local).</summary>
    private static bool UsesKeyVault(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration.GetSection(Webhooks.WebhookOptions.KeyVaultSectionName)["vaultUri"]);

    private static void AddWebhooks(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<Webhooks.WebhookOptions>().BindConfiguration(Webhooks.WebhookOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpClient(Webhooks.WebhookSender.HttpClientName, (provider, client) =>
                client.Timeout = TimeSpan.FromSeconds(provider.GetRequiredService<IOptions<Webhooks.WebhookOptions>>().Value.TimeoutSeconds))
            .ConfigurePrimaryHttpMessageHandler(provider =>
                Webhooks.WebhookSender.Handler(provider.GetRequiredService<IOptions<Webhooks.WebhookOptions>>().Value.AllowLoopback));
        if (UsesKeyVault(configuration))
        {
            services.AddSingleton<Webhooks.IWebhookSecrets, Webhooks.KeyVaultWebhookSecrets>();
        }
        else
        {
            services.AddSingleton<Webhooks.IWebhookSecrets, Webhooks.CosmosWebhookSecrets>();
        }

        services.AddSingleton<Webhooks.DeliveryLog>();
        services.AddSingleton<Webhooks.WebhookService>();
        services.AddSingleton<Webhooks.WebhookPayloads>();
        services.AddSingleton<Webhooks.WebhookDispatcher>();
        services.AddSingleton<Webhooks.WebhookSender>();
    }
}
