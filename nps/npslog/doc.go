// Package npslog writes what a real NPS writes, so that radscope's emulated
// NPS leaves logs that look like the customer's and that radscope's own
// readers (parse/ias, parse/odbc, parse/dts, parse/winevent) read back to
// the same fields:
//
//   - Writer: accounting/authentication log records in the IAS (Legacy),
//     ODBC (Legacy, 66 columns) and DTS Compliant formats, one record per
//     line, CRLF line endings;
//   - EventWriter: Security 6272/6273/6274 and AzureMfa AuthN/AuthZ events
//     in the form `wevtutil qe /f:xml` prints, one <Event> per line.
//
// FileName gives the file names NPS uses for each rotation (INyyMMdd.log,
// iaslogN.log ...).
//
// The input is a model.Message: the key fields (Code, User, NASAddr, Class,
// Policy, Reason ...) and the attributes, named as package dict names them.
// An attribute's value is written from Attr.Value (an enumeration name or a
// number for integers, an address, a date, text) or from Attr.Raw for
// binary data. A key field fills in the attribute it stands for when Attrs
// lacks it. Sensitive attributes (User-Password, MS-MPPE keys ...) are never
// written. Values that a format cannot carry as text (a comma in IAS, a line
// break anywhere, control characters) are written as hex, as NPS does.
package npslog
