
using System.Text.Json.Nodes;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Snapshots.Imports;

/// <summary>
/// Reads JSON5 (comments, trailing commas, single quotes, unquoted keys, hexadecimal numbers) with Json.NET's
/// lenient reader and hands back System.Text.Json nodes. No dedicated JSON5 package is available from our
/// package feed; Json.NET's reader is a maintained parser that accepts these JSON5 forms. Dates stay strings.
/// </summary>
public static class Json5
{
    public static JsonNode? Parse(Stream stream, string fileName)
    {
        using var reader = CreateReader(stream);
        if (!Read(reader, fileName))
        {
            throw new ImportValidationException(fileName, "is empty.");
        }

        try
        {
            var token = JToken.ReadFrom(reader);
            EnsureEnd(reader, fileName);
            return ToNode(token, fileName);
        }
        catch (JsonReaderException ex)
        {
            throw Invalid(fileName, ex);
        }
    }

    /// <summary>Streams the objects of a top-level array one at a time, so a large file is never held whole.</summary>
    public static IEnumerable<JsonObject> ReadArrayObjects(Stream stream, string fileName)
    {
        using var reader = CreateReader(stream);
        if (!Read(reader, fileName) || reader.TokenType != JsonToken.StartArray)
        {
            throw new ImportValidationException(fileName, "expected a JSON5 array at the top level.");
        }

        while (Read(reader, fileName) && reader.TokenType != JsonToken.EndArray)
        {
            JToken item;
            try
            {
                item = JToken.ReadFrom(reader);
            }
            catch (JsonReaderException ex)
            {
                throw Invalid(fileName, ex);
            }

            yield return ToNode(item, fileName) as JsonObject
                ?? throw new ImportValidationException(fileName, $"line {((IJsonLineInfo)reader).LineNumber}: expected an object in the array.");
        }

        EnsureEnd(reader, fileName);
    }

    /// <summary>
    /// Counts the items of a top-level array without building them, stopping at <paramref name="stopAfter"/>: a
    /// list far over the limits is refused in moments, before anything is planned or written.
    /// </summary>
    public static int CountArrayItems(Stream stream, string fileName, int stopAfter)
    {
        using var reader = CreateReader(stream);
        if (!Read(reader, fileName) || reader.TokenType != JsonToken.StartArray)
        {
            throw new ImportValidationException(fileName, "expected a JSON5 array at the top level.");
        }

        var count = 0;
        while (count <= stopAfter && Read(reader, fileName) && reader.TokenType != JsonToken.EndArray)
        {
            count++;
            try
            {
                reader.Skip();
            }
            catch (JsonReaderException ex)
            {
                throw Invalid(fileName, ex);
            }
        }

        return count;
    }

    public static JsonArray ParseArray(Stream stream, string fileName) =>
        Parse(stream, fileName) as JsonArray ?? throw new ImportValidationException(fileName, "expected a JSON5 array at the top level.");

    private static JsonTextReader CreateReader(Stream stream) => new(new StreamReader(stream))
    {
        DateParseHandling = DateParseHandling.None,
        FloatParseHandling = FloatParseHandling.Double,
        CloseInput = true,
    };

    private static bool Read(JsonTextReader reader, string fileName)
    {
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType != JsonToken.Comment)
                {
                    return true;
                }
            }

            return false;
        }
        catch (JsonReaderException ex)
        {
            throw Invalid(fileName, ex);
        }
    }

    private static void EnsureEnd(JsonTextReader reader, string fileName)
    {
        if (Read(reader, fileName))
        {
            throw new ImportValidationException(fileName, $"line {reader.LineNumber}, column {reader.LinePosition}: unexpected content after the end of the document.");
        }
    }

    private static JsonNode? ToNode(JToken token, string fileName)
    {
        try
        {
            return JsonNode.Parse(token.ToString(Formatting.None));
        }
        catch (System.Text.Json.JsonException)
        {
            throw new ImportValidationException(fileName, "contains a value JSON cannot hold (NaN or Infinity).");
        }
    }

    private static ImportValidationException Invalid(string fileName, JsonReaderException ex) =>
        new(fileName, $"line {ex.LineNumber}, column {ex.LinePosition}: malformed JSON5 ({FirstSentence(ex.Message)}).");

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". Path", StringComparison.Ordinal);
        return (end > 0 ? message[..end] : message).TrimEnd('.');
    }
}
