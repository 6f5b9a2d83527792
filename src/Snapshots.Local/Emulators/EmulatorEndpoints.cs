namespace Snapshots.Local.Emulators;

/// <summary>Where the running emulators listen, and the settings that point the engine at them.</summary>
public sealed record EmulatorEndpoints(int BlobPort, int QueuePort, int TablePort, int CosmosPort)
{
    // The emulators' published development credentials: not secrets, they only open the local emulators.
    private const string AzuriteAccount = "devstoreaccount1";
    private const string AzuriteKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private const string CosmosEmulatorKey = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

    public string StorageConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AzuriteAccount};AccountKey={AzuriteKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{AzuriteAccount};" +
        $"QueueEndpoint=http://127.0.0.1:{QueuePort}/{AzuriteAccount};" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/{AzuriteAccount};";

    public string CosmosConnectionString => $"AccountEndpoint=https://127.0.0.1:{CosmosPort}/;AccountKey={CosmosEmulatorKey};";

    /// <summary>Configuration that points the engine's clients at these emulators.</summary>
    public IEnumerable<KeyValuePair<string, string?>> ToConfiguration() =>
    [
        new("DataStorage:connectionString", StorageConnectionString),
        new("Snapshots:Storage:connectionString", StorageConnectionString),
        new("Cosmos:ConnectionString", CosmosConnectionString),
        new("Cosmos:UseLocalEmulator", "true"),
    ];
}
