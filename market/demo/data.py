"""Demo organisations and the people who sign in for them. Fictional, but shaped like the real city."""

from market.accounts.models import BuyerSystem, BuyerType, OrgKind, SupplierType

# (email, person, organisation name, kind, extra organisation fields)
ORGANISATIONS = [
    ("city@demo.local", "王建国", "抚顺市扶贫开发办公室", OrgKind.CITY_OFFICE, {}),
    ("federation@demo.local", "刘明", "抚顺市工商业联合会", OrgKind.FEDERATION, {}),
    # County offices of every county and district.
    ("county-qingyuan@demo.local", "赵玉兰", "清原满族自治县扶贫开发办公室", OrgKind.COUNTY_OFFICE, {"county": "qingyuan"}),
    ("county-xinbin@demo.local", "佟德胜", "新宾满族自治县扶贫开发办公室", OrgKind.COUNTY_OFFICE, {"county": "xinbin"}),
    ("county-fushun-county@demo.local", "孙立新", "抚顺县农业农村局", OrgKind.COUNTY_OFFICE, {"county": "fushun-county"}),
    ("county-dongzhou@demo.local", "李春梅", "东洲区扶贫开发办公室", OrgKind.COUNTY_OFFICE, {"county": "dongzhou"}),
    ("county-shuncheng@demo.local", "周海", "顺城区农业农村局", OrgKind.COUNTY_OFFICE, {"county": "shuncheng"}),
    ("county-xinfu@demo.local", "吴静", "新抚区农业农村局", OrgKind.COUNTY_OFFICE, {"county": "xinfu"}),
    ("county-wanghua@demo.local", "郑国强", "望花区农业农村局", OrgKind.COUNTY_OFFICE, {"county": "wanghua"}),
    # Two suppliers in each paired county.
    ("coop-qingyuan@demo.local", "关玉林", "清原满族自治县红透山镇山珍食用菌专业合作社", OrgKind.SUPPLIER,
     {"county": "qingyuan", "village": "hongtoushan-hongtoushan", "supplier_type": SupplierType.COOPERATIVE}),
    ("farm-qingyuan@demo.local", "那春华", "清原满族自治县南口前镇王家堡杂粮家庭农场", OrgKind.SUPPLIER,
     {"county": "qingyuan", "village": "nankouqian-wangjiabao", "supplier_type": SupplierType.FAMILY_FARM}),
    ("coop-xinbin@demo.local", "肇文军", "新宾满族自治县永陵镇老城村蔬菜种植专业合作社", OrgKind.SUPPLIER,
     {"county": "xinbin", "village": "yongling-laocheng", "supplier_type": SupplierType.COOPERATIVE}),
    ("firm-xinbin@demo.local", "富永强", "新宾满族自治县上夹河林下参带贫企业有限公司", OrgKind.SUPPLIER,
     {"county": "xinbin", "village": "shangjiahe-shangjiahe", "supplier_type": SupplierType.ENTERPRISE}),
    ("coop-fushun-county@demo.local", "陈玉珍", "抚顺县后安镇寒富苹果专业合作社", OrgKind.SUPPLIER,
     {"county": "fushun-county", "village": "houan-houan", "supplier_type": SupplierType.COOPERATIVE}),
    ("farm-fushun-county@demo.local", "马德山", "抚顺县后安镇绿野蛋鸡家庭农场", OrgKind.SUPPLIER,
     {"county": "fushun-county", "supplier_type": SupplierType.FAMILY_FARM}),
    ("coop-dongzhou@demo.local", "杨秀英", "东洲区兰山乡草莓种植专业合作社", OrgKind.SUPPLIER,
     {"county": "dongzhou", "village": "lanshan-lanshan", "supplier_type": SupplierType.COOPERATIVE}),
    ("firm-dongzhou@demo.local", "高志远", "抚顺东洲山野菜食品加工有限公司", OrgKind.SUPPLIER,
     {"county": "dongzhou", "supplier_type": SupplierType.ENTERPRISE}),
    # Canteens of the four systems, and other buyers.
    ("party@demo.local", "张卫东", "中共抚顺市委机关事务服务中心职工食堂", OrgKind.BUYER,
     {"buyer_system": BuyerSystem.PARTY, "buyer_type": BuyerType.AGENCY_CANTEEN}),
    ("government@demo.local", "李红", "抚顺市人民政府机关事务服务中心职工食堂", OrgKind.BUYER,
     {"buyer_system": BuyerSystem.GOVERNMENT, "buyer_type": BuyerType.AGENCY_CANTEEN}),
    ("npc@demo.local", "何平", "抚顺市人大常委会机关食堂", OrgKind.BUYER,
     {"buyer_system": BuyerSystem.NPC, "buyer_type": BuyerType.AGENCY_CANTEEN}),
    ("cppcc@demo.local", "徐丽", "政协抚顺市委员会机关食堂", OrgKind.BUYER,
     {"buyer_system": BuyerSystem.CPPCC, "buyer_type": BuyerType.AGENCY_CANTEEN}),
    ("school@demo.local", "冯晓东", "抚顺市第一中学学生食堂", OrgKind.BUYER,
     {"buyer_system": BuyerSystem.OTHER, "buyer_type": BuyerType.SCHOOL_CANTEEN}),
    ("hospital@demo.local", "韩雪", "抚顺市中心医院职工食堂", OrgKind.BUYER,
     {"buyer_system": BuyerSystem.OTHER, "buyer_type": BuyerType.HOSPITAL_CANTEEN}),
    ("village-unit@demo.local", "曹振宇", "抚顺市财政局驻永陵镇老城村工作队", OrgKind.BUYER,
     {"buyer_system": BuyerSystem.GOVERNMENT, "buyer_type": BuyerType.VILLAGE_UNIT,
      "paired_village": "yongling-laocheng"}),
    # Private firms buying instead of donating.
    ("firm@demo.local", "邓海峰", "抚顺华信建材有限公司", OrgKind.FIRM, {}),
    ("firm2@demo.local", "潘丽娜", "抚顺恒达物流有限公司", OrgKind.FIRM, {}),
]
