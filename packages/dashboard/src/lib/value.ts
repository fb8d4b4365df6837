/** A value typed into a form: JSON when it parses as JSON, otherwise the text itself (SPEC 1, as the CLI). */
export function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON: by the CLI's rule the text is the value. Nothing is lost, so there is nothing to report.
    return text;
  }
}
