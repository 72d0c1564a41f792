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

# Products of the demo suppliers: (supplier email, fields). Quantities in the product's unit.
# stranded_days: stranded since that many days ago (None: not stranded); best_before_days likewise ahead.
PRODUCTS = [
    ("coop-qingyuan@demo.local", dict(
        name="黑木耳", variety="秋耳", category="edible_fungi", unit="kg", price="68.00", min_order="1",
        stock="850", specification="干品，500克/袋，20袋/箱", households=46, linkage="operating_income",
        ident="辽扶认〔2020〕0312号", stranded_days=40, cause="疫情期间批发市场关闭，外地客商无法进村收购",
        storage="阴凉干燥处存放", shelf_life_days=540)),
    ("coop-qingyuan@demo.local", dict(
        name="香菇", variety="花菇", category="edible_fungi", unit="kg", price="42.00", min_order="1",
        stock="620", specification="干品，250克/袋", households=31, linkage="wage", stranded_days=25,
        cause="餐饮停业，订单取消", shelf_life_days=365)),
    ("coop-qingyuan@demo.local", dict(
        name="榛蘑", variety="野生", category="forest_mountain", unit="kg", price="96.00", min_order="1",
        stock="180", specification="干品，500克/袋", households=22, linkage="operating_income", stranded_days=None)),
    ("farm-qingyuan@demo.local", dict(
        name="小米", variety="黄金苗", category="grain_oil", unit="bag", price="45.00", min_order="1",
        stock="400", specification="5公斤/袋", households=18, linkage="wage", stranded_days=30,
        cause="物流不畅，电商订单积压", shelf_life_days=300)),
    ("farm-qingyuan@demo.local", dict(
        name="红小豆", variety="珍珠红", category="grain_oil", unit="kg", price="12.00", min_order="10",
        stock="1500", specification="散装，25公斤/袋", households=12, linkage="operating_income")),
    ("coop-xinbin@demo.local", dict(
        name="大白菜", variety="秋白菜", category="vegetables", unit="kg", price="1.20", min_order="50",
        stock="12000", specification="散装，每棵约2.5公斤", households=63, linkage="operating_income",
        stranded_days=21, cause="疫情封控，城区农贸市场限流", best_before_days=20, storage="0–2℃窖藏")),
    ("coop-xinbin@demo.local", dict(
        name="土豆", variety="尤金", category="vegetables", unit="kg", price="1.60", min_order="50",
        stock="8000", specification="20公斤/袋", households=41, linkage="operating_income", stranded_days=18,
        cause="外运车辆停运", best_before_days=60)),
    ("coop-xinbin@demo.local", dict(
        name="大葱", variety="章丘大葱", category="vegetables", unit="box", price="35.00", min_order="1",
        stock="300", specification="10公斤/箱", households=15, linkage="wage", best_before_days=25)),
    ("coop-xinbin@demo.local", dict(
        name="黏豆包", variety="大黄米", category="processed_food", unit="bag", price="25.00", min_order="1",
        stock="40", specification="1公斤/袋，约20个", households=9, linkage="wage", stranded_days=12,
        cause="年货集市取消，手工作坊积压", shelf_life_days=180)),
    ("firm-xinbin@demo.local", dict(
        name="林下参", variety="十年生", category="medicinal_herbs", unit="box", price="380.00", min_order="1",
        stock="120", specification="鲜参5支/礼盒", households=27, linkage="asset",
        ident="辽扶认〔2020〕0158号", stranded_days=35, cause="礼品市场停滞", shelf_life_days=30)),
    ("firm-xinbin@demo.local", dict(
        name="山野菜", variety="蕨菜", category="forest_mountain", unit="bag", price="18.00", min_order="1",
        stock="900", specification="盐渍，1公斤/袋", households=19, linkage="wage", shelf_life_days=365)),
    ("coop-fushun-county@demo.local", dict(
        name="寒富苹果", variety="寒富", category="fruit", unit="box", price="58.00", min_order="1",
        stock="650", specification="10公斤/箱，果径80毫米以上", households=52, linkage="operating_income",
        ident="辽扶认〔2020〕0221号", stranded_days=28, cause="冷库爆满，外地客商不能来收",
        best_before_days=45, storage="冷库0–2℃")),
    ("coop-fushun-county@demo.local", dict(
        name="南果梨", variety="南果", category="fruit", unit="box", price="66.00", min_order="1",
        stock="240", specification="5公斤/箱", households=20, linkage="operating_income", best_before_days=30)),
    ("farm-fushun-county@demo.local", dict(
        name="笨鸡蛋", variety="散养", category="livestock", unit="box", price="48.00", min_order="1",
        stock="500", specification="30枚/箱", households=14, linkage="wage", stranded_days=14,
        cause="学校食堂停课", best_before_days=25, storage="冷藏")),
    ("farm-fushun-county@demo.local", dict(
        name="笨鸡", variety="散养两年鸡", category="livestock", unit="piece", price="120.00", min_order="1",
        stock="260", specification="宰杀冷冻，每只约1.5公斤", households=9, linkage="wage", shelf_life_days=180)),
    ("coop-dongzhou@demo.local", dict(
        name="草莓", variety="红颜", category="fruit", unit="box", price="45.00", min_order="1",
        stock="300", specification="2公斤/箱", households=24, linkage="operating_income", stranded_days=10,
        cause="采摘园停业", best_before_days=5, storage="冷藏，三日内食用")),
    ("coop-dongzhou@demo.local", dict(
        name="蓝莓", variety="北陆", category="fruit", unit="box", price="88.00", min_order="1",
        stock="150", specification="125克×12盒/箱", households=16, linkage="operating_income", best_before_days=10)),
    ("firm-dongzhou@demo.local", dict(
        name="蕨菜罐头", variety="清水蕨菜", category="processed_food", unit="box", price="72.00", min_order="1",
        stock="420", specification="400克×12罐/箱", households=11, linkage="wage", stranded_days=33,
        cause="出口订单取消", shelf_life_days=720)),
    ("firm-dongzhou@demo.local", dict(
        name="蜂蜜", variety="椴树蜜", category="forest_mountain", unit="bottle", price="39.00", min_order="1",
        stock="800", specification="500克/瓶", households=13, linkage="asset", shelf_life_days=720)),
]

# Delivery addresses of the demo canteens: (buyer email, place, recipient, phone, notes).
DELIVERY_ADDRESSES = [
    ("party@demo.local", "抚顺市新抚区临江路 1 号 市委机关事务服务中心职工食堂", "赵师傅", "024-5767 1001",
     "食堂后门，9:00 前送到"),
    ("party@demo.local", "抚顺市新抚区临江路 1 号 市委机关 3 号楼库房", "钱会计", "138 4130 1002", "周末不收货"),
    ("government@demo.local", "抚顺市新抚区中央大街 46 号 市政府机关职工食堂", "孙师傅", "024-5767 2001",
     "东门进，找食堂值班员"),
    ("npc@demo.local", "抚顺市顺城区新华大街 5 号 市人大机关食堂", "李师傅", "024-5767 3001", None),
    ("cppcc@demo.local", "抚顺市顺城区新华大街 7 号 市政协机关食堂", "周师傅", "024-5767 4001", None),
    ("school@demo.local", "抚顺市新抚区浑河南路 2 号 抚顺一中学生食堂", "吴主任", "139 4130 5001",
     "上课时间走西侧小门，7:00 前送到"),
    ("hospital@demo.local", "抚顺市新抚区中央大街 5 号 市中心医院职工食堂", "郑师傅", "024-5767 6001",
     "后勤通道，避开门诊入口"),
]
