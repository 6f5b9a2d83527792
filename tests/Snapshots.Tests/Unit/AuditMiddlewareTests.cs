using Microsoft.Azure.Functions.Worker;
using Moq;
using Snapshots.Functions.Audit;
using Snapshots.Functions.Snapshots;

namespace Snapshots.Tests.Unit;

/// <summary>
/// The deployed worker's audit middleware takes an entry's targets from the invocation's binding data, which also
/// holds the query and the headers (Authorization among them): only the function's route parameters may come out.
/// </summary>
public sealed class AuditMiddlewareTests
{
    [Fact]
    public void Only_the_route_parameters_of_the_function_become_targets()
    {
        var definition = new Mock<FunctionDefinition>();
        definition.SetupGet(d => d.EntryPoint).Returns($"{typeof(SnapshotFunctions).FullName}.{nameof(SnapshotFunctions.DeleteSnapshot)}");
        var binding = new Mock<BindingContext>();
        binding.SetupGet(b => b.BindingData).Returns(new Dictionary<string, object?>
        {
            ["snapshotId"] = "s1",
            ["Query"] = """{"projectId":"p1"}""",
            ["projectId"] = "p1",
            ["Headers"] = """{"Authorization":"Bearer secret"}""",
        });
        var context = new Mock<FunctionContext>();
        context.SetupGet(c => c.FunctionDefinition).Returns(definition.Object);
        context.SetupGet(c => c.BindingContext).Returns(binding.Object);

        Assert.Equal([new KeyValuePair<string, string?>("snapshotId", "s1")], AuditMiddleware.RouteValuesOf(context.Object));
    }
}
