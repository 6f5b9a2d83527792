using System.Security.Cryptography;

namespace Snapshots.Archive;

/// <summary>The SHA-256, size and line count of bytes fed to it: what the manifest records of every entry.</summary>
internal sealed class ContentDigest : IDisposable
{
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public long Bytes { get; private set; }

    public int Lines { get; private set; }

    public void Add(ReadOnlySpan<byte> bytes)
    {
        hash.AppendData(bytes);
        Lines += bytes.Count((byte)'\n');
        Bytes += bytes.Length;
    }

    public string Sha256Hex() => Convert.ToHexStringLower(hash.GetHashAndReset());

    public void Dispose() => hash.Dispose();
}
