namespace Qwen.Tools;

/// <summary>The document formats the parser reads.</summary>
internal enum DocumentFormat
{
    Pdf,
    Docx,
    Pptx,
    Xlsx,
    Html,
    Text,
    Csv,
    Tsv,
    Json,
}
