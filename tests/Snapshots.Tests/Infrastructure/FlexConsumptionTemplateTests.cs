using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.Infrastructure;

/// <summary>
/// What Flex Consumption and Durable Functions on it need, read from the Bicep sources and host.json (the compiled
/// template is built and linted by .ci/bicep.sh after the tests): no site setting Flex rejects, the durable group
/// always ready, the API audience required, and a queue polling interval of at most 10 seconds.
/// </summary>
public sealed partial class FlexConsumptionTemplateTests
{
    private static string Read(params string[] path) => File.ReadAllText(Path.Combine([RepositoryPaths.Root, .. path]));

    [Fact]
    public void The_site_config_sets_nothing_flex_consumption_rejects()
    {
        Assert.DoesNotMatch(PropertyLine("ftpsState"), Read("infra", "bicep", "modules", "functionapp.bicep"));
    }

    [Fact]
    public void The_durable_group_has_an_instance_always_ready()
    {
        Assert.Matches(AlwaysReadyDurable(), Read("infra", "bicep", "modules", "functionapp.bicep"));
    }

    [Fact]
    public void The_api_audience_is_required_so_azd_up_cannot_deploy_an_app_that_answers_401_to_everyone()
    {
        Assert.Matches(RequiredAudience(), Read("infra", "bicep", "main.bicep"));
        var parameters = JsonNode.Parse(Read("infra", "bicep", "main.parameters.json"))!;
        Assert.Equal("${AUTH_AUDIENCE}", parameters["parameters"]!["authAudience"]!["value"]!.GetValue<string>());
    }

    [Fact]
    public void Durable_queues_are_polled_at_least_every_ten_seconds()
    {
        var host = JsonNode.Parse(Read("host.json"), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!;
        var interval = TimeSpan.Parse(host["extensions"]!["durableTask"]!["storageProvider"]!["maxQueuePollingInterval"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(interval, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
    }

    private static Regex PropertyLine(string name) => new($@"^\s*{name}\s*:", RegexOptions.Multiline);

    [GeneratedRegex(@"alwaysReady:\s*\[\s*\{\s*name:\s*'durable',\s*instanceCount:\s*[1-9]")]
    private static partial Regex AlwaysReadyDurable();

    // A parameter with no default, guarded against the empty string.
    [GeneratedRegex(@"@minLength\(1\)\s*\r?\nparam authAudience string\s*\r?\n")]
    private static partial Regex RequiredAudience();
}
