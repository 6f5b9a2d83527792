using Azure.Core;
using Azure.Identity;

namespace Snapshots.Configuration;

/// <summary>Builds the token credential a client section asks for, the way Microsoft.Extensions.Azure reads it.</summary>
internal static class AzureCredentials
{
    public static TokenCredential Create(string? credential, string? clientId) =>
        string.Equals(credential, "managedidentity", StringComparison.OrdinalIgnoreCase)
            ? new ManagedIdentityCredential(string.IsNullOrWhiteSpace(clientId)
                ? ManagedIdentityId.SystemAssigned
                : ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new DefaultAzureCredential();
}
