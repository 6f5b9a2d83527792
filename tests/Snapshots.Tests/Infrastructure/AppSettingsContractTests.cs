using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Snapshots.Access;
using Snapshots.Configuration;

namespace Snapshots.Tests.Infrastructure;

/// <summary>
/// The function app's settings in Azure (infra/bicep) and local.settings.sample.json must name the same things,
/// identity-based, with no keys.
/// <para>
/// How the Bicep is read: main.bicep passes the settings to <c>modules/functionapp.bicep</c> as one object
/// literal, <c>appSettings: { Name: value ... }</c>, and the module applies that parameter as the site's
/// <c>appsettings</c> config. A small tokenizer that knows Bicep's comments, strings (escapes, <c>${...}</c>
/// interpolations, <c>'''</c> multi-line strings) and brackets finds that literal after the module reference and
/// takes the names of its top-level properties: a name (identifier or quoted) directly followed by <c>:</c> at
/// the start of a line or after <c>{</c>/<c>,</c>. Values may therefore contain anything, ternaries included.
/// </para>
/// </summary>
public sealed partial class AppSettingsContractTests
{
    // Flex Consumption takes the worker runtime from functionAppConfig and rejects it as an app setting.
    private const string LocalOnlySetting = "FUNCTIONS_WORKER_RUNTIME";

    private static readonly Lazy<string> Root = new(FindRepositoryRoot);

    [Fact]
    public void The_bicep_sets_exactly_the_settings_of_the_sample_except_the_worker_runtime()
    {
        var sample = SampleValues().Keys.Where(name => name != LocalOnlySetting).ToHashSet(StringComparer.Ordinal);
        var bicep = BicepAppSettings();

        var missing = sample.Except(bicep).Order(StringComparer.Ordinal).ToList();
        var extra = bicep.Except(sample).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0,
            $"app settings differ. In local.settings.sample.json but not in main.bicep: [{string.Join(", ", missing)}]; " +
            $"in main.bicep but not in local.settings.sample.json: [{string.Join(", ", extra)}]");
    }

    [Fact]
    public void The_function_app_module_applies_the_settings_main_passes()
    {
        var module = File.ReadAllText(InfraFile("modules", "functionapp.bicep"));

        Assert.True(AppliesAppSettings().IsMatch(module),
            "modules/functionapp.bicep no longer applies its appSettings parameter as the site's 'appsettings' config");
    }

    /// <summary>
    /// The app trusts X-MS-CLIENT-PRINCIPAL only when App Service authentication really is in front of it (the
    /// platform then strips the header from callers): one switch sets the setting and deploys authsettingsV2.
    /// </summary>
    [Fact]
    public void The_client_principal_header_is_trusted_only_where_the_bicep_deploys_app_service_authentication()
    {
        var main = File.ReadAllText(InfraFile("main.bicep"));
        var module = File.ReadAllText(InfraFile("modules", "functionapp.bicep"));

        Assert.Matches(@"Auth__AppServiceAuthentication:\s*appServiceAuthentication\s*\?\s*'true'\s*:\s*'false'", main);
        Assert.Matches(@"\n\s*appServiceAuthentication:\s*appServiceAuthentication\s*\n", main);
        var resource = AuthenticationResource().Match(module);
        Assert.True(resource.Success, "modules/functionapp.bicep deploys no authsettingsV2 conditioned on appServiceAuthentication");
        Assert.Matches(@"requireAuthentication:\s*true", resource.Value);
        Assert.Matches(@"unauthenticatedClientAction:\s*'Return401'", resource.Value);
    }

    [Fact]
    public void Every_sample_setting_has_a_placeholder_not_a_secret()
    {
        var sample = SampleValues();
        Assert.NotEmpty(sample);

        var empty = sample.Where(setting => string.IsNullOrWhiteSpace(setting.Value)).Select(setting => setting.Key).ToList();
        var secrets = sample
            .SelectMany(setting => SecretMarkers
                .Where(marker => setting.Value.Contains(marker, StringComparison.OrdinalIgnoreCase))
                .Select(marker => $"{setting.Key} (contains '{marker}')"))
            .ToList();
        Assert.True(empty.Count == 0, $"settings without a placeholder value: [{string.Join(", ", empty)}]");
        Assert.True(secrets.Count == 0, $"settings that look like secrets, use a placeholder or an identity-based setting: [{string.Join(", ", secrets)}]");
    }

    [Fact]
    public void The_bicep_reads_no_keys()
    {
        var files = Directory.EnumerateFiles(Path.Combine(Root.Value, "infra", "bicep"), "*.bicep", SearchOption.AllDirectories).ToList();
        Assert.NotEmpty(files);

        var offences = files
            .Select(file => (Name: Path.GetRelativePath(Root.Value, file), Text: File.ReadAllText(file)))
            .SelectMany(file => KeyFunctions.Concat(SecretMarkers)
                .Where(marker => file.Text.Contains(marker, StringComparison.OrdinalIgnoreCase))
                .Select(marker => $"{file.Name}: {marker}"))
            .ToList();
        Assert.True(offences.Count == 0, $"the Bicep uses keys: {string.Join("; ", offences)}");
    }

    [Fact]
    public void The_parameters_file_sets_only_parameters_main_declares()
    {
        var declared = DeclaredParameter().Matches(File.ReadAllText(InfraFile("main.bicep")))
            .Select(match => match.Groups["name"].Value)
            .ToHashSet(StringComparer.Ordinal);
        using var parameters = JsonDocument.Parse(File.ReadAllText(InfraFile("main.parameters.json")));
        var set = parameters.RootElement.GetProperty("parameters").EnumerateObject().Select(p => p.Name).ToList();

        var unknown = set.Where(name => !declared.Contains(name)).ToList();
        Assert.True(unknown.Count == 0, $"main.parameters.json sets parameters main.bicep does not declare: [{string.Join(", ", unknown)}]");
    }

    [Fact]
    public void Every_option_the_code_binds_in_azure_is_in_the_sample()
    {
        var sample = SampleValues().Keys.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var read = OptionSettings(SnapshotsOptions.SectionName, typeof(SnapshotsOptions))
            .Concat(OptionSettings(SnapshotStorageOptions.SectionName, typeof(SnapshotStorageOptions)))
            .Concat(OptionSettings(Snapshots.Audit.AuditOptions.SectionName, typeof(Snapshots.Audit.AuditOptions)))
            .Concat(OptionSettings(CosmosOptions.SectionName, typeof(CosmosOptions), nameof(CosmosOptions.ConnectionString), nameof(CosmosOptions.UseLocalEmulator)))
            .Concat(OptionSettings(AuthOptions.SectionName, typeof(AuthOptions), nameof(AuthOptions.DevelopmentSigningKey)))
            .Concat(["DataStorage__serviceUri", "Snapshots__Storage__serviceUri", "TaskHubName", "AzureWebJobsStorage__blobServiceUri"]);

        Assert.All(read, setting => Assert.Contains(setting, sample));
    }

    private static readonly string[] SecretMarkers = ["AccountKey=", "SharedAccessSignature", "SharedAccessKey", "InstrumentationKey=", "sig="];

    private static readonly string[] KeyFunctions = ["listKeys(", "listConnectionStrings(", "listAccountSas(", "listServiceSas(", "primaryMasterKey", "primaryKey"];

    private static IEnumerable<string> OptionSettings(string section, Type options, params string[] localOnly) =>
        options.GetProperties()
            .Where(property => property.CanWrite && !localOnly.Contains(property.Name))
            .Select(property => $"{section.Replace(":", "__", StringComparison.Ordinal)}__{property.Name}");

    private static Dictionary<string, string> SampleValues()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root.Value, "local.settings.sample.json")));
        return sample.RootElement.GetProperty("Values").EnumerateObject()
            .ToDictionary(property => property.Name, property => property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() ?? "" : "", StringComparer.Ordinal);
    }

    private static HashSet<string> BicepAppSettings()
    {
        var tokens = BicepTokenizer.Tokenize(File.ReadAllText(InfraFile("main.bicep")));

        var module = tokens.FindIndex(t => t.Kind == TokenKind.String && t.Text == "modules/functionapp.bicep");
        Assert.True(module >= 0, "main.bicep does not reference 'modules/functionapp.bicep'");

        var open = -1;
        for (var i = module; i + 2 < tokens.Count; i++)
        {
            if (tokens[i].Is(TokenKind.Identifier, "appSettings") && tokens[i + 1].Is(TokenKind.Punctuation, ":") && tokens[i + 2].Is(TokenKind.Punctuation, "{"))
            {
                open = i + 2;
                break;
            }
        }

        Assert.True(open >= 0, "the functionapp module call in main.bicep has no 'appSettings: { ... }' object literal");
        return TopLevelKeys(tokens, open);
    }

    /// <summary>Names of the properties of the object literal opening at <paramref name="open"/>, nested values skipped.</summary>
    private static HashSet<string> TopLevelKeys(List<Token> tokens, int open)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var depth = 0;
        for (var i = open; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token.Kind == TokenKind.Punctuation && token.Text is "{" or "[" or "(")
            {
                depth++;
            }
            else if (token.Kind == TokenKind.Punctuation && token.Text is "}" or "]" or ")")
            {
                depth--;
                if (depth == 0)
                {
                    return keys;
                }
            }
            else if (depth == 1
                && token.Kind is TokenKind.Identifier or TokenKind.String
                && i + 1 < tokens.Count && tokens[i + 1].Is(TokenKind.Punctuation, ":")
                && (tokens[i - 1].Kind == TokenKind.NewLine || tokens[i - 1].Is(TokenKind.Punctuation, "{") || tokens[i - 1].Is(TokenKind.Punctuation, ",")))
            {
                Assert.True(keys.Add(token.Text), $"app setting {token.Text} is set twice in main.bicep");
            }
        }

        Assert.Fail("the appSettings object in main.bicep is not closed");
        return keys;
    }

    private static string InfraFile(params string[] parts) => Path.Combine([Root.Value, "infra", "bicep", .. parts]);

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "SnapshotFunctions.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"SnapshotFunctions.sln not found in {AppContext.BaseDirectory} or above");
    }

    [GeneratedRegex(@"name:\s*'appsettings'\s*\r?\n\s*properties:\s*appSettings\b")]
    private static partial Regex AppliesAppSettings();

    [GeneratedRegex(@"resource\s+\w+\s+'Microsoft\.Web/sites/config@[^']+'\s*=\s*if\s*\(appServiceAuthentication\)\s*\{\s*parent:\s*app\s*name:\s*'authsettingsV2'[\s\S]*?\n\}")]
    private static partial Regex AuthenticationResource();

    [GeneratedRegex(@"^\s*param\s+(?<name>[A-Za-z_][A-Za-z0-9_]*)\b", RegexOptions.Multiline)]
    private static partial Regex DeclaredParameter();

    private enum TokenKind
    {
        Identifier,
        String,
        Punctuation,
        NewLine,
    }

    private readonly record struct Token(TokenKind Kind, string Text)
    {
        public bool Is(TokenKind kind, string text) => Kind == kind && Text == text;
    }

    /// <summary>
    /// Just enough of Bicep's lexical grammar to walk object literals: identifiers, strings (their literal text;
    /// interpolations are scanned for nested strings and braces, then left out), single-character punctuation,
    /// and line breaks. Comments and other whitespace are dropped.
    /// </summary>
    private sealed class BicepTokenizer(string text)
    {
        private int position;

        public static List<Token> Tokenize(string text) => new BicepTokenizer(text).ReadAll();

        private List<Token> ReadAll()
        {
            var tokens = new List<Token>();
            while (position < text.Length)
            {
                var c = text[position];
                if (c == '\n')
                {
                    tokens.Add(new Token(TokenKind.NewLine, "\n"));
                    position++;
                }
                else if (char.IsWhiteSpace(c))
                {
                    position++;
                }
                else if (StartsWith("//"))
                {
                    while (position < text.Length && text[position] != '\n')
                    {
                        position++;
                    }
                }
                else if (StartsWith("/*"))
                {
                    var end = text.IndexOf("*/", position + 2, StringComparison.Ordinal);
                    position = end < 0 ? text.Length : end + 2;
                }
                else if (StartsWith("'''"))
                {
                    var end = text.IndexOf("'''", position + 3, StringComparison.Ordinal);
                    var stop = end < 0 ? text.Length : end;
                    tokens.Add(new Token(TokenKind.String, text[(position + 3)..stop]));
                    position = end < 0 ? text.Length : end + 3;
                }
                else if (c == '\'')
                {
                    tokens.Add(new Token(TokenKind.String, ReadString()));
                }
                else if (char.IsLetter(c) || c == '_')
                {
                    var start = position;
                    while (position < text.Length && (char.IsLetterOrDigit(text[position]) || text[position] == '_'))
                    {
                        position++;
                    }

                    tokens.Add(new Token(TokenKind.Identifier, text[start..position]));
                }
                else
                {
                    tokens.Add(new Token(TokenKind.Punctuation, c.ToString()));
                    position++;
                }
            }

            return tokens;
        }

        /// <summary>Reads a '...' string from its opening quote; returns its literal parts (escapes kept as written).</summary>
        private string ReadString()
        {
            var literal = new StringBuilder();
            position++;
            while (position < text.Length)
            {
                var c = text[position];
                if (c == '\\' && position + 1 < text.Length)
                {
                    literal.Append(text, position, 2);
                    position += 2;
                }
                else if (c == '\'')
                {
                    position++;
                    return literal.ToString();
                }
                else if (StartsWith("${"))
                {
                    position += 2;
                    SkipInterpolation();
                }
                else
                {
                    literal.Append(c);
                    position++;
                }
            }

            return literal.ToString();
        }

        /// <summary>Skips an interpolated expression up to its closing brace, nested strings and braces included.</summary>
        private void SkipInterpolation()
        {
            var depth = 1;
            while (position < text.Length)
            {
                var c = text[position];
                if (c == '\'')
                {
                    ReadString();
                    continue;
                }

                position++;
                if (c == '{')
                {
                    depth++;
                }
                else if (c == '}' && --depth == 0)
                {
                    return;
                }
            }
        }

        private bool StartsWith(string value) => string.CompareOrdinal(text, position, value, 0, value.Length) == 0;
    }
}
