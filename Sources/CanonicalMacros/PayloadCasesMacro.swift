import SwiftSyntax
import SwiftSyntaxBuilder
import SwiftSyntaxMacros

/// `@PayloadCases` on an enum whose every case wraps one payload type (`case sessionStarted(SessionStarted)`):
/// its `payload` (the wrapped value, whichever the case) and `registerEveryCase(in:)` (each payload
/// type with the case that wraps it), so that adding a case is the one edit a new event needs in
/// the catalogue's lists.
public struct PayloadCasesMacro: MemberMacro {
    public static func expansion(
        of node: AttributeSyntax,
        providingMembersOf declaration: some DeclGroupSyntax,
        conformingTo protocols: [TypeSyntax],
        in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] {
        guard let enumeration = declaration.as(EnumDeclSyntax.self) else { throw MacroError("@PayloadCases applies to an enum") }
        let name = enumeration.name.text
        var cases: [(name: String, payload: String)] = []
        for member in enumeration.memberBlock.members {
            guard let declaration = member.decl.as(EnumCaseDeclSyntax.self) else { continue }
            for element in declaration.elements {
                guard let parameters = element.parameterClause?.parameters, parameters.count == 1, let parameter = parameters.first else {
                    throw MacroError("@PayloadCases needs every case to wrap one payload: \(element.name.text)")
                }
                cases.append((element.name.text, parameter.type.trimmedDescription))
            }
        }
        let payloads = cases.map { "    case .\($0.name)(let payload): payload" }.joined(separator: "\n")
        let registrations = cases.map { "    catalogue.register(\($0.payload).self, \(name).\($0.name))" }.joined(separator: "\n")
        return [
            "public var payload: any DomainEventPayload {\n    switch self {\n\(raw: payloads)\n    }\n}",
            "static func registerEveryCase(in catalogue: inout EventCatalogue) {\n\(raw: registrations)\n}",
        ]
    }
}
