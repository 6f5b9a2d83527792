using System.Runtime.CompilerServices;
using System.Text;

namespace Snapshots.Archive;

/// <summary>Reads lines of text, refusing one longer than a limit instead of holding it whole.</summary>
internal static class BoundedLineReader
{
    /// <summary>The largest NDJSON line an archive may hold: the largest item Cosmos DB stores (2 MB).</summary>
    public const int MaxLineChars = 2 * 1024 * 1024;

    public static async IAsyncEnumerable<string> ReadLinesAsync(
        Stream stream, string path, [EnumeratorCancellation] CancellationToken cancellationToken, int maxChars = MaxLineChars)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024, leaveOpen: true);
        var buffer = new char[64 * 1024];
        var line = new StringBuilder();
        var number = 0;
        int read;
        while ((read = await reader.ReadAsync(buffer, cancellationToken)) > 0)
        {
            var start = 0;
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] != '\n')
                {
                    continue;
                }

                line.Append(buffer, start, i - start);
                number++;
                yield return TrimReturn(line);
                line.Clear();
                start = i + 1;
            }

            line.Append(buffer, start, read - start);
            if (line.Length > maxChars)
            {
                throw new ArchiveValidationException($"{path} line {number + 1}: longer than {maxChars / (1024 * 1024)} MiB, the largest item the service stores.");
            }
        }

        if (line.Length > 0)
        {
            yield return TrimReturn(line);
        }
    }

    private static string TrimReturn(StringBuilder line) =>
        line.Length > 0 && line[^1] == '\r' ? line.ToString(0, line.Length - 1) : line.ToString();
}
