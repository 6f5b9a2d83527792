using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Security.KeyVault.Secrets;
using Snapshots.Projects;

namespace Snapshots.Webhooks;

/// <summary>Keeps webhooks' signing secrets; the webhook record holds only the reference this returns.</summary>
public interface IWebhookSecrets
{
    Task<string> StoreAsync(string projectId, string webhookId, string secret, CancellationToken cancellationToken);

    Task<string?> ReadAsync(string reference, CancellationToken cancellationToken);

    Task DeleteAsync(string reference, CancellationToken cancellationToken);
}

/// <summary>In Azure: one Key Vault secret per webhook, read with the app's managed identity.</summary>
public sealed class KeyVaultWebhookSecrets(SecretClient vault) : IWebhookSecrets
{
    public const string ReferencePrefix = "keyvault:";

    public async Task<string> StoreAsync(string projectId, string webhookId, string secret, CancellationToken cancellationToken)
    {
        // Secret names allow letters, digits and dashes only; a hash of the ids keeps any project id within that.
        var name = "webhook-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{projectId}/{webhookId}")))[..40];
        await vault.SetSecretAsync(new KeyVaultSecret(name, secret) { Properties = { ContentType = "webhook signing secret" } }, cancellationToken);
        return ReferencePrefix + name;
    }

    public async Task<string?> ReadAsync(string reference, CancellationToken cancellationToken)
    {
        try
        {
            return (await vault.GetSecretAsync(NameOf(reference), cancellationToken: cancellationToken)).Value.Value;
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async Task DeleteAsync(string reference, CancellationToken cancellationToken)
    {
        try
        {
            await vault.StartDeleteSecretAsync(NameOf(reference), cancellationToken);
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
        }
    }

    private static string NameOf(string reference) =>
        reference.StartsWith(ReferencePrefix, StringComparison.Ordinal) ? reference[ReferencePrefix.Length..]
        : throw new InvalidOperationException("Not a Key Vault secret reference.");
}

/// <summary>
/// Without a Key Vault (the local runtime, which has no Key Vault emulator): the secret in a Cosmos item of its
/// own partition, never in the webhook record that the API reads.
/// </summary>
public sealed class CosmosWebhookSecrets(ProjectStore store) : IWebhookSecrets
{
    public const string ReferencePrefix = "cosmos:";

    private const string Partition = "_webhook-secrets";

    public async Task<string> StoreAsync(string projectId, string webhookId, string secret, CancellationToken cancellationToken)
    {
        await store.UpsertAsync(Partition, new StoredWebhookSecret { Id = webhookId, Value = secret }, cancellationToken);
        return ReferencePrefix + webhookId;
    }

    public async Task<string?> ReadAsync(string reference, CancellationToken cancellationToken) =>
        (await store.GetAsync<StoredWebhookSecret>(Partition, IdOf(reference), cancellationToken))?.Value;

    public Task DeleteAsync(string reference, CancellationToken cancellationToken) =>
        store.DeleteAsync<StoredWebhookSecret>(Partition, IdOf(reference), cancellationToken);

    private static string IdOf(string reference) =>
        reference.StartsWith(ReferencePrefix, StringComparison.Ordinal) ? reference[ReferencePrefix.Length..]
        : throw new InvalidOperationException("Not a local secret reference.");
}

public sealed record StoredWebhookSecret : IProjectEntity
{
    public required string Id { get; init; }

    public required string Value { get; init; }

    public Dictionary<string, JsonElement>? Extra { get; init; }
}
