using Snapshots.Projects;

namespace Snapshots.Restore;

/// <summary>
/// How a restore rewrites an archive's documents, annotation sets, annotations and AIs for its target: new ids from
/// the restore id, references through the schema map. Pure, so a verification drill can apply the same rewrite to
/// the archive and compare the result with what the restore wrote.
/// </summary>
public sealed class RestoreMapping(RestoreRequest request, SchemaMap map)
{
    public Document Document(Document document, List<StoredFile> files) => document with
    {
        Id = DocumentRestorer.NewDocumentId(request, document.Id),
        CategoryId = SchemaMap.Map(map.Categories, document.CategoryId),
        Files = files,
    };

    /// <param name="setId">The new id of one of the document's annotation sets by its archive id, or null when it has none.</param>
    public AnnotationSet AnnotationSet(AnnotationSet set, Func<string, string?> setId) => set with
    {
        Id = setId(set.Id)!,
        DocumentId = DocumentRestorer.NewDocumentId(request, set.DocumentId),
        LabelSetId = SchemaMap.Map(map.LabelSets, set.LabelSetId),
        ParentId = set.ParentId is null ? null : setId(set.ParentId),
    };

    public Annotation Annotation(Annotation annotation, Func<string, string?> setId) => annotation with
    {
        Id = DocumentRestorer.NewAnnotationId(request, annotation.DocumentId, annotation.Id),
        DocumentId = DocumentRestorer.NewDocumentId(request, annotation.DocumentId),
        LabelId = map.Labels[annotation.LabelId],
        LabelSetId = SchemaMap.Map(map.LabelSets, annotation.LabelSetId),
        AnnotationSetId = annotation.AnnotationSetId is null ? null : setId(annotation.AnnotationSetId),
    };

    public AiModel Ai(AiModel ai, List<StoredFile> files) => ai with
    {
        Id = DocumentRestorer.NewAiId(request, ai.Id),
        CategoryId = SchemaMap.Map(map.Categories, ai.CategoryId),
        Files = files,
    };
}
