using System.Buffers.Text;
using System.Text;

namespace Snapshots.Audit;

/// <summary>
/// Where the next page of a scope's log starts: a day and the last entry id already shown of it (empty: the day's
/// start). Entries recorded after the first page sort before that id, so pages never repeat or skip an entry.
/// Opaque to clients (base64url).
/// </summary>
public sealed record AuditPageToken(string Day, string AfterId)
{
    public string Encode() => Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{Day}:{AfterId}"));

    public static bool TryDecode(string? token, out AuditPageToken? decoded)
    {
        decoded = null;
        if (string.IsNullOrEmpty(token))
        {
            return true;
        }

        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
            var separator = text.IndexOf(':', StringComparison.Ordinal);
            if (separator < 0 || !AuditPartitions.IsDay(text[..separator]))
            {
                return false;
            }

            decoded = new AuditPageToken(text[..separator], text[(separator + 1)..]);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
