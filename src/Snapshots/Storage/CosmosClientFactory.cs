using Microsoft.Azure.Cosmos;
using Snapshots.Configuration;

namespace Snapshots.Storage;

/// <summary>Creates the one <see cref="CosmosClient"/> of the process: identity-based in Azure, key-based against the local emulator.</summary>
internal static class CosmosClientFactory
{
    public static CosmosClient Create(CosmosOptions options, CosmosClientOptions clientOptions)
    {
        Configure(clientOptions, options);
        return string.IsNullOrWhiteSpace(options.ConnectionString)
            ? new CosmosClient(options.AccountEndpoint, AzureCredentials.Create(options.Credential, options.ClientId), clientOptions)
            : new CosmosClient(options.ConnectionString, clientOptions);
    }

    /// <summary>The client settings the service's Cosmos options imply: serializer, 429 retries, and the emulator's quirks.</summary>
    public static void Configure(CosmosClientOptions clientOptions, CosmosOptions options)
    {
        clientOptions.UseSystemTextJsonSerializerWithOptions = SnapshotsJson.Options;
        clientOptions.ApplicationName = "snapshots";
        clientOptions.MaxRetryAttemptsOnRateLimitedRequests = options.MaxRateLimitRetries;
        clientOptions.MaxRetryWaitTimeOnRateLimitedRequests = TimeSpan.FromSeconds(options.MaxRateLimitWaitSeconds);

        if (options.UseLocalEmulator)
        {
            // The emulator serves a self-signed certificate and supports only the gateway endpoint it listens on.
            clientOptions.ConnectionMode = ConnectionMode.Gateway;
            clientOptions.LimitToEndpoint = true;
            clientOptions.HttpClientFactory = () => new HttpClient(new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator,
            });
        }
    }
}
