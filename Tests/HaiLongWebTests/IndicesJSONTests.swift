import Foundation
import Testing

@testable import HaiLongWeb

/// The indices answer's JSON is written by hand for speed (`IndicesDocument.json`); it must be the bytes JSONEncoder
/// writes for the same document (`jsonText()`, what a publication stores), for every kind of item: agencies with their
/// credibility, previous period, elements, criteria and reasons; officers hidden or ranked; groups with and without a
/// name and their own agency; a publication or none; text that needs escaping.
@Suite struct IndicesJSONTests {
    static let agencies = #"""
        {"as_of":"2026-12-07T01:00:00Z","items":[
         {"agency":"P","ci95":[81.25,90.5],"credibility":{"dossiers":1200,"excluded_by_flag":{"rapid_repeat":3,"late":1,"duplicate_dossier":12},
          "excluded_share":1.5,"kiosk_web_gap":-2.25,"low_share":10,"response_rate":null},"criteria":{"tiep_can.1":88.5,"thu_tuc.2":90},
          "elements":{"tiep_can":88.5,"ket_qua":100},"excluded":16,"group":null,"hidden":false,"index":86.13,"mean":2.7,"n":1062,
          "name":"Tỉnh \"Thử\" nghiệm / Sở\\Tư pháp\n\t\u0001","par_max":2,"par_points":1.72,"parent":null,
          "previous":{"change":-0.5,"index":86.63,"n":998,"period":"2025","significant":false},"rank":null,
          "reasons":{"xin_chao":12.5,"luon_mim_cuoi":0.1,"khac":33.33},"satisfied":915,"sufficient":true},
         {"agency":"P.B","ci95":null,"credibility":{"dossiers":null,"excluded_by_flag":{},"excluded_share":null,"kiosk_web_gap":null,
          "low_share":null,"response_rate":null},"criteria":null,"elements":{},"excluded":0,"group":null,"hidden":false,"index":null,
          "mean":null,"n":0,"name":"Xã Hòa Bình","par_max":0.5,"par_points":null,"parent":"P",
          "previous":{"change":null,"index":null,"n":0,"period":"2025","significant":null},"rank":null,"reasons":null,"satisfied":0,
          "sufficient":false}],
         "methodology":{"code":"default","version":2},"period":{"from":"2026-01-01","label":"2026","to":"2026-12-31"},
         "published":false,"questionnaire":"kiosk-3"}
        """#

    static let officers = #"""
        {"as_of":null,"group":"officer","items":[
         {"agency":"P.A","ci95":[94.4,100],"credibility":null,"criteria":null,"elements":{},"excluded":0,
          "group":{"agency":"P.A.1","code":"B-1","name":"Nguyễn Văn An"},"hidden":false,"index":97,"mean":2.97,"n":300,"name":"Sở Tư pháp",
          "par_max":2,"par_points":null,"parent":null,"previous":null,"rank":1,"reasons":{},"satisfied":291,"sufficient":true},
         {"agency":"P.A","ci95":null,"credibility":null,"criteria":null,"elements":{},"excluded":2,"group":{"code":"kiosk"},
          "hidden":true,"index":null,"mean":null,"n":4,"name":"Sở Tư pháp","par_max":2,"par_points":null,"parent":null,
          "previous":null,"rank":null,"reasons":null,"satisfied":4,"sufficient":false}],
         "methodology":{"code":"default","version":1},"period":{"from":"2026-06-28","label":"2026-06-28..2026-07-31","to":"2026-07-31"},
         "publication":{"published_at":"2026-12-07T02:00:00Z","published_by":"ccHC/tỉnh","version":3},
         "published":true,"questionnaire":"sipas-5"}
        """#

    @Test(arguments: [
        agencies, officers,
        #"{"as_of":null,"items":[],"methodology":{"code":"m","version":1},"period":{"from":"2026-03-01","label":"2026-03-01","to":"2026-03-01"},"published":false,"questionnaire":"kiosk-3"}"#,
    ])
    func theHandWrittenJSONIsJSONEncodersBytes(_ text: String) throws {
        let document = try JSONDecoder().decode(IndicesDocument.self, from: Data(text.utf8))
        let encoded = try document.jsonText()
        #expect(document.json == encoded)
        #expect(try JSONSerialization.jsonObject(with: Data(document.json.utf8)) is [String: Any])
    }
}
